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
  onUnauthorized?: () => void;
}

/**
 * Everything a request through `link` is signed with, resolved once per request (a retry signs
 * again with the same credentials): the caller's 3LO token when the link has 3LO, the level the
 * policy allows (`chooseAuthLevel`), and this app's signer when anything is signed.
 */
export async function outgoingCredentials(db: Db, link: Link, as: LinkCaller, demand?: Exclude<AuthLevel, "none">, dispatcher?: Dispatcher): Promise<OutgoingCredentials> {
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
