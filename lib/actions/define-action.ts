import "server-only";
import { unstable_rethrow } from "next/navigation";
import { z } from "zod";
import { getServerCaller } from "@/lib/api/server-caller";
import type { Caller } from "@/lib/auth/caller";
import { fieldErrors } from "@/lib/validation/fields";
import { describeError } from "@/lib/describe-error";

export type ActionResult<T = unknown> =
  | { ok: true; message?: string; data?: T; /** A success whose news is not good (a check that found a problem): shown in this tone. */ tone?: "success" | "warning" | "danger" }
  | { ok: false; message: string; fields?: Record<string, string>; values?: Record<string, string> };

const SECRET_FIELD = /pass|secret|^token$|private/i;

/** What the person typed (secrets excepted), so a refused form can be shown again as it was. */
function echoValues(raw: Record<string, FormDataEntryValue>): Record<string, string> {
  return Object.fromEntries(Object.entries(raw).filter(([k, v]) => typeof v === "string" && !SECRET_FIELD.test(k)) as [string, string][]);
}

export const NOT_SIGNED_IN = "Your session has ended. Sign in again.";
export const ADMINS_ONLY = "Administrators only.";

/**
 * The one way to write a server action: it resolves the caller server-side, enforces the role,
 * parses the form with zod, and turns every error into a result a form can show inline.
 * Use as `export const doThing = defineAction("admin", schema, async (input, caller) => …)`.
 */
export function defineAction<S extends z.ZodType, T = unknown>(
  access: "user" | "admin",
  schema: S,
  handler: (input: z.output<S>, caller: Caller) => Promise<ActionResult<T>>,
) {
  return async (_previous: ActionResult<T> | null, formData: FormData): Promise<ActionResult<T>> => {
    const caller = await getServerCaller();
    if (!caller) return { ok: false, message: NOT_SIGNED_IN };
    if (access === "admin" && caller.role !== "ADMIN") return { ok: false, message: ADMINS_ONLY };
    const raw: Record<string, FormDataEntryValue> = {};
    for (const [key, value] of formData.entries()) if (!key.startsWith("$ACTION")) raw[key] = value;
    const values = echoValues(raw);
    // No form field has a use for a NUL character, and PostgreSQL cannot store one.
    const withNul = Object.entries(raw).filter(([, v]) => typeof v === "string" && v.includes("\0")).map(([k]) => k);
    if (withNul.length) return { ok: false, message: "Check the highlighted fields.", fields: Object.fromEntries(withNul.map((k) => [k, "Must not contain a NUL character."])), values };
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return { ok: false, message: "Check the highlighted fields.", fields: fieldErrors(parsed.error), values };
    try {
      return await handler(parsed.data, caller);
    } catch (error) {
      // redirect() and notFound() travel as errors: let Next.js handle them.
      unstable_rethrow(error);
      const described = describeError(error, "server action");
      if (described.code === "internal_error") return { ok: false, message: described.message };
      // A schema's refusal is said field by field; the app's own errors keep their own words.
      return { ok: false, message: error instanceof z.ZodError ? "Check the highlighted fields." : described.message, fields: described.fields, values };
    }
  };
}
