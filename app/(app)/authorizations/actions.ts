"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { defineAction } from "@/lib/actions/define-action";
import { dropAccessToken } from "@/lib/outgoing/three-legged";
import { revokeOwnOAuth2Authorization } from "@/lib/outgoing/oauth2-tokens";
import { revokeAuthorizedApplication } from "@/lib/incoming/issued-tokens";
import { revokeGrant } from "@/lib/incoming/oauth2/grants";

// Revoke the caller's own authorization of a link: OAuth 2.0 (the remote's revocation endpoint is
// called when it has one) or OAuth 1.0a; this app forgets the tokens either way.
export const revokeAuthorizationAction = defineAction("user", z.object({ linkId: z.string().min(1).max(64), scheme: z.enum(["oauth1", "oauth2"]).default("oauth1") }), async ({ linkId, scheme }, caller) => {
  let message = "Authorization revoked: the link will ask you again.";
  if (scheme === "oauth2") {
    const revoked = await revokeOwnOAuth2Authorization(db, linkId, caller.id);
    if (!revoked) throw new AppError("not_found", "You had not authorized that link.");
    if (revoked.remote !== "revoked") message = `Authorization forgotten here: the link will ask you again. ${revoked.linkName} ${revoked.remote === "no-endpoint" ? "has no revocation endpoint: revoke this app there too if you wish" : `was not told (${revoked.remote}): revoke this app there too`}.`;
    else message = `Authorization revoked here and at ${revoked.linkName}: the link will ask you again.`;
  } else if (!(await dropAccessToken(db, caller.id, linkId))) throw new AppError("not_found", "You had not authorized that link.");
  revalidatePath("/authorizations");
  revalidatePath(`/links/${linkId}`);
  return { ok: true, message };
});

// Revoke an application's right to act as the caller here (an access token this app issued them).
export const revokeApplicationAction = defineAction("user", z.object({ tokenId: z.string().min(1).max(64) }), async ({ tokenId }, caller) => {
  if (!(await revokeAuthorizedApplication(db, caller.id, tokenId))) throw new AppError("not_found", "You had not authorized that application.");
  revalidatePath("/authorizations");
  return { ok: true, message: "Revoked: that application can no longer act as you." };
});

// Revoke an external application's OAuth 2.0 authorization by the caller: every token it holds stops at once.
export const revokeOAuth2GrantAction = defineAction("user", z.object({ grantId: z.string().min(1).max(64) }), async ({ grantId }, caller) => {
  const grant = await revokeGrant(db, caller, grantId, { owner: caller.id });
  revalidatePath("/authorizations");
  return { ok: true, message: `Revoked: ${grant.linkName} can no longer act as you.` };
});
