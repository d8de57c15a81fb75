"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/lib/db";
import { defineAction } from "@/lib/actions/define-action";
import { decideRequestToken } from "@/lib/incoming/issued-tokens";

// The signed-in person allows or denies a linked application acting as them (incoming 3LO consent).
export const decideAuthorizationAction = defineAction(
  "user",
  z.object({ oauth_token: z.string().min(1).max(200), decision: z.enum(["allow", "deny"]) }),
  async ({ oauth_token, decision }, caller) => {
    const outcome = await decideRequestToken(db, caller.id, oauth_token, decision === "allow");
    if (outcome.redirect) redirect(outcome.redirect);
    if (decision === "deny") return { ok: true, message: `You denied ${outcome.linkName} access. You can close this page.`, data: { verifier: undefined } };
    return { ok: true, message: `You allowed ${outcome.linkName} to act as you.`, data: { verifier: outcome.verifier ?? undefined } };
  },
);
