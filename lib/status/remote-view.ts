import { outgoingOAuthInUse } from "@/lib/outgoing/schemes";
import type { Link } from "@/lib/generated/prisma/client";
import type { Levels } from "@/lib/links/levels";

/**
 * `GET /rest/applinks/3.0/status/{applicationId}` as Atlassian's applinks answers it: the link,
 * `working`, the local configuration of both directions (`localAuthentication.incoming` /
 * `.outgoing`, each `{enabled, twoLoEnabled, twoLoImpersonationEnabled}`), and the error's
 * `category` and `type` when not working. This app adds `threeLoEnabled` (Atlassian ties 3LO to
 * `enabled`) and its own `status`, `cause`, `fix` and `checkedAt`.
 */
export interface RemoteStatusJson {
  link?: { id?: string; name?: string; displayUrl?: string; rpcUrl?: string; type?: string; primary?: boolean; system?: boolean };
  working?: boolean;
  localAuthentication?: { incoming?: RemoteOAuthConfig; outgoing?: RemoteOAuthConfig };
  error?: { category: string; type: string; details?: string } | null;
}

interface RemoteOAuthConfig {
  enabled?: boolean;
  twoLoEnabled?: boolean;
  twoLoImpersonationEnabled?: boolean;
  threeLoEnabled?: boolean;
}

function levelsOf(config: RemoteOAuthConfig | undefined): Levels {
  const on = config?.enabled === true;
  return { threeLegged: on && config?.threeLoEnabled !== false, twoLegged: on && config?.twoLoEnabled === true, impersonation: on && config?.twoLoImpersonationEnabled === true };
}

/** The remote's levels toward us, from its status answer; throws when it has no `localAuthentication`. */
export function remoteLevels(view: RemoteStatusJson): { incoming: Levels; outgoing: Levels } {
  if (!view || typeof view !== "object" || !view.localAuthentication || typeof view.localAuthentication !== "object") throw new TypeError("no localAuthentication");
  return { incoming: levelsOf(view.localAuthentication.incoming), outgoing: levelsOf(view.localAuthentication.outgoing) };
}

export function remoteLinkId(view: RemoteStatusJson | null): string | null {
  const id = view?.link?.id;
  return typeof id === "string" && /^[\w-]{1,64}$/.test(id) ? id : null;
}

function config(enabled: boolean, threeLo: boolean, twoLo: boolean, impersonation: boolean): Required<RemoteOAuthConfig> {
  return { enabled, twoLoEnabled: enabled && twoLo, twoLoImpersonationEnabled: enabled && impersonation, threeLoEnabled: enabled && threeLo };
}

/** This app's answer for one of its links, in Atlassian's shape (see RemoteStatusJson). */
export function applinkStatusJson(link: Link, view: { status: string; cause: string; fix: string; checkedAt: Date | null; errorType: string | null }, category: string | null) {
  const working = view.status === "CONNECTED" || view.status === "UPGRADE_CONFIG";
  // A fixed credential in place of OAuth: no OAuth level is in use (they are kept, unused).
  const oauth = outgoingOAuthInUse(link);
  return {
    link: { id: link.id, name: link.name, displayUrl: link.displayUrl, rpcUrl: link.rpcUrl, type: link.type, primary: link.primary, system: false },
    working,
    localAuthentication: {
      incoming: config(link.inEnabled && !link.disabled, link.in3lo, link.in2lo, link.inImpersonation),
      outgoing: config(link.outEnabled && !link.disabled, oauth && link.out3lo, oauth && link.out2lo, oauth && link.outImpersonation),
    },
    error: working ? null : { category: category ?? "UNKNOWN", type: view.errorType ?? "UNKNOWN", details: view.cause },
    status: view.status,
    cause: view.cause,
    fix: view.fix,
    checkedAt: view.checkedAt,
  };
}
