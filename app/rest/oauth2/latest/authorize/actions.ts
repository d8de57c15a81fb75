"use server";

import { redirect } from "next/navigation";
import { z } from "zod";
import { db } from "@/lib/db";
import { defineAction } from "@/lib/actions/define-action";
import { decideAuthorization } from "@/lib/incoming/oauth2/server";

const param = z.string().max(2000).optional();

// The signed-in person allows or denies an external application (incoming OAuth 2.0 consent).
export const decideOAuth2Action = defineAction(
  "user",
  z.object({
    decision: z.enum(["allow", "deny"]),
    response_type: param,
    client_id: param,
    redirect_uri: param,
    scope: param,
    state: param,
    code_challenge: param,
    code_challenge_method: param,
  }),
  async ({ decision, ...params }, caller) => {
    const outcome = await decideAuthorization(db, caller.id, params, decision === "allow");
    if (outcome.kind === "redirect") redirect(outcome.location);
    return { ok: false, message: outcome.kind === "refused" ? outcome.message : "This authorization request cannot be answered." };
  },
);
