import type { Db } from "@/lib/db";
import { log } from "@/lib/log";
import { recordIncomingRefusal, recordIncomingSuccess } from "@/lib/traffic/traffic";

/** The errors of RFC 6749 §5.2 and RFC 6750 §3.1 a link's diagnosis names, with a redirect URL that does not match. */
export type OAuth2Refusal = "invalid_client" | "invalid_grant" | "invalid_request" | "invalid_scope" | "redirect_uri_mismatch" | "invalid_token" | "insufficient_scope";

/**
 * An external application was refused on a link's OAuth 2.0: the link's diagnosis shows the last
 * refusal (as `oauth2_<error>`, beside OAuth 1.0a's problems), and the log says what exactly.
 */
export async function recordOAuth2Refusal(db: Db, linkId: string, error: OAuth2Refusal, detail?: string): Promise<void> {
  log.info({ linkId, error, detail }, "incoming OAuth 2.0 refused");
  await recordIncomingRefusal(db, linkId, `oauth2_${error}`);
}

/** A token was issued or accepted on a link's OAuth 2.0. */
export async function recordOAuth2Success(db: Db, linkId: string): Promise<void> {
  await recordIncomingSuccess(db, linkId);
}
