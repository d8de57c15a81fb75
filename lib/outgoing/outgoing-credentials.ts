import type { Db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { appSigner, type AppSigner } from "@/lib/identity/app-identity";
import { chooseAuthLevel, isServer, type AuthLevel, type LinkCaller } from "@/lib/outgoing/auth-level";
import { accessTokenFor } from "@/lib/outgoing/three-legged";
import { AppError } from "@/lib/errors";
import type { Dispatcher } from "undici";
import { isFixedScheme, outgoingOAuthInUse, schemeCredential, schemeInfoOf, type CredentialHeaders } from "@/lib/outgoing/schemes";
import { readSecret } from "@/lib/vault/vault";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";
import { cachedReads } from "@/lib/db/cached-reads";
import { oauth2Client } from "@/lib/outgoing/oauth2-authorization";
import { personTokens } from "@/lib/outgoing/oauth2-tokens";
import { cloudApiUrl } from "@/lib/outgoing/atlassian-cloud";

/** How a request through a link will be authenticated: the level, this app's signer, the person's 3LO token, or a fixed credential's headers. */
export interface OutgoingCredentials {
  level: AuthLevel;
  /** Null when the link's outgoing OAuth is off (nothing is signed). */
  signer: AppSigner | null;
  /** The caller's own access token, for 3LO. */
  token: { key: string; secret: string } | null;
  /** The headers of a fixed credential (level `fixed`), for one attempt's method and URL. */
  headersFor?: CredentialHeaders;
  /** The remote answered 401: renew what can be renewed (an OAuth 2.0 token) before the one retry. */
  onUnauthorized?: () => void | Promise<void>;
  /** Where a request for a URL under the link goes instead (Atlassian Cloud's API gateway). */
  rewriteUrl?: (url: string) => string;
  /** OAuth 2.0: the person whose token is used (forgotten when the remote refuses even a fresh one). */
  personId?: string;
}

/**
 * Everything a request through `link` is signed with, resolved once per request (a retry signs
 * again with the same credentials): the caller's 3LO token when the link has 3LO, the level the
 * policy allows (`chooseAuthLevel`), and this app's signer when anything is signed.
 */
export async function outgoingCredentials(db: Db, link: Link, as: LinkCaller, demand?: Exclude<AuthLevel, "none">, dispatcher?: Dispatcher): Promise<OutgoingCredentials> {
  if (link.outScheme === "oauth2" && link.outEnabled) return personOAuth2Credentials(db, link, as, demand, dispatcher);
  const token = !isServer(as) && outgoingOAuthInUse(link) && link.out3lo ? await accessTokenFor(db, as.id, link.id) : null;
  const level = chooseAuthLevel(link, as, demand, !!token);
  if (level === "fixed") {
    const info = schemeInfoOf(link);
    if (!info || !link.outSchemeSecretId || !isFixedScheme(link.outScheme)) throw new AppError("conflict", `"${link.name}" has no ${link.outScheme} credential stored: enter it under Outgoing.`);
    const secret = (await readSecret(db, link.outSchemeSecretId)).toString("utf8");
    return { level, signer: null, token: null, ...schemeCredential(link.outScheme, info, secret, { baseUrl: rpcUrlOf(link), cacheKey: `${link.id}@${link.version}`, dispatcher }) };
  }
  return { level, signer: level === "none" ? null : await appSigner(db), token: level === "3lo" ? token : null };
}

/** OAuth 2.0 (authorization code): the person's bearer token, refreshed when due and once when the remote refuses it. */
async function personOAuth2Credentials(db: Db, link: Link, as: LinkCaller, demand: Exclude<AuthLevel, "none"> | undefined, dispatcher?: Dispatcher): Promise<OutgoingCredentials> {
  const level = chooseAuthLevel(link, as, demand);
  // Server code acts for a person it names: one who exists here and may sign in.
  const named = isServer(as) ? await cachedReads(db).userByUsername(as.username ?? "") : null;
  const personId = isServer(as) ? (named && !named.disabled ? named.id : null) : as.id;
  if (!personId) throw new AppError("forbidden", `No enabled user "${isServer(as) ? as.username : ""}" here to act for on "${link.name}".`);
  const { endpoints, clientSecret } = await oauth2Client(db, link);
  let held = await personTokens(db, link, endpoints, clientSecret, personId, { dispatcher });
  const cloud = endpoints.cloud;
  return {
    level,
    signer: null,
    token: null,
    personId,
    headersFor: async () => ({ authorization: `Bearer ${held.accessToken}` }),
    onUnauthorized: async () => {
      held = await personTokens(db, link, endpoints, clientSecret, personId, { dispatcher, refused: held.secretId });
    },
    ...(cloud ? { rewriteUrl: (url: string) => cloudApiUrl(url, cloud, held.cloudId ?? "") } : {}),
  };
}
