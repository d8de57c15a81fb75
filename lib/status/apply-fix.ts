import { z } from "zod";
import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/audit/record";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { linkAuditView } from "@/lib/links/serialize";
import { discardOutgoingTokens } from "@/lib/outgoing/three-legged";
import { assertApplicationAt, patchLink, refetchConsumer } from "@/lib/links/update-link";
import { setLevels } from "@/lib/links/levels";
import { versionedUpdate } from "@/lib/links/versioned-update";
import type { FixAction } from "@/lib/status/derive";
import { statusRow } from "@/lib/status/store";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";

/** The fixes applied on this side; the others open the remote's page or the authorization. */
export const LOCAL_FIXES = ["enable", "match-here", "refetch-consumer", "adopt-identity", "relocate", "disable-legacy"] as const;
export type LocalFix = (typeof LOCAL_FIXES)[number];

/** POST /api/v1/links/{id}/status: check now, after applying a fix the last check offered. */
export const checkNowSchema = z.object({ fix: z.enum(LOCAL_FIXES, { error: `fix is one of: ${LOCAL_FIXES.join(", ")}.` }).optional() }).strict();

/**
 * Applies the fix the link's last diagnosis offered, of this kind (only a fix the diagnosis
 * proposed: its values come from the stored finding, not from the caller). Every change goes
 * through the link's audited updates.
 */
export async function applyFix(db: Db, actor: Actor, linkId: string, kind: LocalFix): Promise<string> {
  const link = await findLinkOrThrow(db, linkId);
  if (kind === "enable") {
    await patchLink(db, actor, linkId, { version: link.version, enabled: true });
    return `"${link.name}" is enabled.`;
  }
  const row = await statusRow(db, linkId);
  let offered: FixAction[] = [];
  try {
    offered = JSON.parse(row?.action ?? "[]") as FixAction[];
  } catch {
    offered = [];
  }
  const action = offered.find((a) => a.kind === kind);
  if (!action) throw new AppError("conflict", "The link's last check offers no such fix: check it again.");
  switch (action.kind) {
    case "match-here":
      await setLevels(db, actor, linkId, { outgoing: action.outgoing, incoming: action.incoming });
      return `This side of "${link.name}" now matches the remote.`;
    case "refetch-consumer":
      await refetchConsumer(db, actor, linkId);
      return `The consumer of "${link.name}" was fetched again.`;
    case "disable-legacy":
      await patchLink(db, actor, linkId, { version: link.version, ...(link.trustedApps ? { trustedApps: false } : {}), ...(link.basicAccess ? { basicAccess: false } : {}) });
      return "Deprecated authentication is off.";
    case "relocate": {
      // patchLink refuses a URL where another application answers.
      await patchLink(db, actor, linkId, { version: link.version, rpcUrl: action.rpcUrl });
      return `"${link.name}" now calls ${action.rpcUrl}.`;
    }
    case "adopt-identity": {
      await assertApplicationAt(rpcUrlOf(link), action.remoteAppId);
      await db.$transaction(async (tx) => {
        const before = await findLinkOrThrow(tx, linkId);
        const after = await versionedUpdate(tx, before, before.version, { remoteAppId: action.remoteAppId });
        // Access tokens were issued by the old installation: they are worthless now.
        const discarded = await discardOutgoingTokens(tx, linkId);
        await recordAudit(tx, actor, { action: "link.adopt-identity", targetType: "link", targetId: linkId, targetLabel: after.name, before: linkAuditView(before), after: { ...linkAuditView(after), discardedAccessTokens: discarded } });
      });
      if (link.inConsumerKey) await refetchConsumer(db, actor, linkId);
      return `"${link.name}" now names application ${action.remoteAppId}.`;
    }
    default:
      throw new AppError("bad_request", "This fix is made on the remote, or by authorizing.");
  }
}
