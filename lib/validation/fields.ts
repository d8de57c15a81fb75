import { z } from "zod";

export const MALFORMED_TEXT = "This text is not well-formed Unicode (it holds a lone surrogate such as \\ud800).";

/**
 * Characters no name shown on a page, in the audit log or in an API answer may hold: control
 * characters (NUL, line breaks, tabs, escape, C1 controls) and the bidirectional overrides and
 * isolates that make text read differently from what it is.
 */
const NOT_SHOWABLE = /[\p{Cc}\u202A-\u202E\u2066-\u2069]/u;

/** A name that is shown to people: trimmed, well-formed Unicode, no control characters, at most `max` characters. */
export function shownName(options: { max: number; required?: string }) {
  let schema = z.string(options.required ? { error: options.required } : undefined).trim();
  if (options.required) schema = schema.min(1, options.required);
  return schema
    .max(options.max, `At most ${options.max} characters.`)
    .refine((v) => v.isWellFormed(), MALFORMED_TEXT)
    .refine((v) => !NOT_SHOWABLE.test(v), "Must not contain control characters (line breaks, tabs, NUL) or direction overrides.");
}

/**
 * A Connect shared secret (HS256's key): at least 32 bytes, as RFC 7518 asks of an HS256 key, and
 * not one character repeated (16 NUL bytes were accepted).
 */
export const connectSharedSecretSchema = z
  .string()
  .max(8192)
  .refine((v) => Buffer.byteLength(v, "utf8") >= 32, "A shared secret has at least 32 bytes (HS256 needs a 256-bit key).")
  .refine((v) => new Set(v).size > 1, "A shared secret cannot be one character repeated.")
  .refine((v) => !/[\r\n\0]/.test(v), "The shared secret cannot contain line breaks or NUL characters.");

/** Usernames are what the API names people by (executeAs, xoauth_requestor_id): keep them plain. */
export const usernameSchema = z
  .string({ error: "Enter a username." })
  .trim()
  .min(2, "A username has at least 2 characters.")
  .max(64, "A username has at most 64 characters.")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]*$/, "Use letters, digits and . _ @ - (starting with a letter or digit).");

export const emailSchema = z.string({ error: "Enter an email address." }).trim().max(254).pipe(z.email("Enter a valid email address."));

export const displayNameSchema = shownName({ max: 120 });

export const passwordSchema = z
  .string({ error: "Enter a password." })
  .min(12, "A password has at least 12 characters.")
  .max(256, "A password has at most 256 characters.");

export const ROLES = ["ADMIN", "USER"] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES, { error: "Choose ADMIN or USER." });

export const tokenNameSchema = shownName({ max: 80, required: "Enter a name for the token." });

/** zod issues as `{field: message}`, the shape of the API's 400 `fields` and the forms' inline errors. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length ? issue.path.join(".") : "_";
    out[key] ??= issue.message;
  }
  return out;
}

/**
 * The path (`a.b.0`) of the first string in a parsed JSON value, key or value, that is not
 * well-formed Unicode (a lone surrogate such as `"\ud800"`, which JSON allows and no database
 * column stores), or null when every string is well-formed. Walked without recursion: JSON nested
 * thousands deep is valid too.
 */
export function malformedTextPath(value: unknown): string | null {
  type Node = { key: string; parent: Node | null };
  const pathOf = (node: Node | null, last?: string) => {
    const keys = last === undefined ? [] : [last];
    for (let at = node; at; at = at.parent) keys.unshift(at.key);
    return keys.join(".") || "_";
  };
  const pending: Array<[unknown, Node | null]> = [[value, null]];
  while (pending.length) {
    const [item, node] = pending.pop()!;
    if (typeof item === "string") {
      if (!item.isWellFormed()) return pathOf(node);
    } else if (item && typeof item === "object") {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i]!;
        if (!key.isWellFormed()) return pathOf(node, key.toWellFormed());
        pending.push([child, { key, parent: node }]);
      }
    }
  }
  return null;
}

