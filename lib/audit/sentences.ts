import { auditFieldLabel, auditValue } from "@/lib/audit/labels";

/** What the audit log shows of one event: a sentence saying what was done to what, and each meaningful change as a sentence. */
export interface AuditSentence {
  headline: string;
  changes: string[];
}

/** What an action did, in words, with the target's name in it ({t}). */
const ACTIONS: Record<string, string> = {
  "link.create": "Link “{t}” created",
  "link.update": "Link “{t}” changed",
  "link.outgoing": "Outgoing authentication of “{t}” changed",
  "link.incoming": "Incoming authentication of “{t}” changed",
  "link.delete": "Link “{t}” deleted",
  "link.reset": "“{t}” reset",
  "link.authorize": "This app authorized on “{t}”",
  "link.adopt-identity": "“{t}” accepted under its new application id",
  "link.client-certificate-request": "A client certificate request made for “{t}”",
  "link.incoming-tokens-revoked": "Access tokens issued to “{t}” revoked",
  "link.incoming.oauth2": "Incoming OAuth 2.0 of “{t}” changed",
  "link.incoming.oauth2-secret": "OAuth 2.0 client secret of “{t}” rotated",
  "link.incoming.oauth2-grants-revoked": "OAuth 2.0 authorizations of “{t}” revoked",
  "user.create": "User “{t}” created",
  "user.role": "Role of “{t}” changed",
  "user.disable": "User “{t}” disabled",
  "user.enable": "User “{t}” enabled",
  "user.reset-password": "Password of “{t}” reset",
  "token.create": "API token “{t}” created",
  "token.revoke": "API token “{t}” revoked",
  "identity.rotate-key": "This app's key pair rotated",
  "vault.rotate-master-key": "The vault's master key rotated",
  "notifications.channel-create": "Notification channel “{t}” created",
  "notifications.channel-update": "Notification channel “{t}” changed",
  "notifications.channel-secret": "Signing secret of notification channel “{t}” rotated",
  "notifications.channel-delete": "Notification channel “{t}” deleted",
  "notifications.smtp": "SMTP server for notifications set to {t}",
  "data.export": "Data exported to {t}",
  "data.import": "Data imported from {t}",
};

/** Where taking the target out of the sentence would not leave a name. */
const FILTER_LABELS: Record<string, string> = {
  "link.reset": "Link reset",
  "link.authorize": "This app authorized on a link",
  "link.adopt-identity": "New application id accepted",
  "link.incoming-tokens-revoked": "Issued access tokens revoked",
};

/** The action's name in the filter (the same words, without a target). */
export function auditActionLabel(action: string): string {
  if (FILTER_LABELS[action]) return FILTER_LABELS[action];
  const words = ACTIONS[action];
  if (!words) return action;
  return words
    .replace(/ (of|to|from|on|for) “\{t\}”| (to|from) \{t\}|“\{t\}” ?/, " ")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^./, (c) => c.toUpperCase());
}

/** Fields whose change is bookkeeping, never news: a save that changes only these changed nothing. */
const BOOKKEEPING = new Set(["version", "updatedAt", "createdAt"]);

/** Booleans whose name is a negative: said as what they mean ("enabled", not "Disabled: on → off"). */
const NEGATIVE: Record<string, [on: string, off: string]> = {
  disabled: ["disabled", "enabled"],
  revoked: ["revoked", "restored"],
};

/** The keys that differ between two snapshots, bookkeeping left out. */
export function meaningfulChanges(before: Record<string, unknown>, after: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((k) => !BOOKKEEPING.has(k) && JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null));
}

function quoted(value: unknown): string {
  const text = auditValue(value);
  return text.length > 120 ? `“${text.slice(0, 117)}…”` : `“${text}”`;
}

/** Values recorded as codes, in words. */
const VALUE_WORDS: Record<string, Record<string, string>> = {
  outScheme: { oauth1: "OAuth 1.0a", basic: "Basic", bearer: "a personal access token", "api-key": "an API key", "connect-jwt": "a Connect JWT", "oauth2-client-credentials": "OAuth 2.0 client credentials" },
};

function changeSentence(key: string, before: unknown, after: unknown, created: boolean): string {
  const words = VALUE_WORDS[key];
  if (words) {
    before = typeof before === "string" ? (words[before] ?? before) : before;
    after = typeof after === "string" ? (words[after] ?? after) : after;
  }
  const label = auditFieldLabel(key);
  if (key in NEGATIVE && typeof after === "boolean") return `${label.replace(/^Disabled$/, "Link").replace(/^Revoked$/, "It")} ${NEGATIVE[key]![after ? 0 : 1]}`;
  if (typeof after === "boolean" && (typeof before === "boolean" || before === undefined || before === null)) return `${label} ${created ? "on" : after ? "turned on" : "turned off"}`;
  const empty = (v: unknown) => v === null || v === undefined || v === "";
  if (created || empty(before)) return `${label}: ${quoted(after)}`;
  if (empty(after)) return `${label} cleared (was ${quoted(before)})`;
  return `${label} changed from ${quoted(before)} to ${quoted(after)}`;
}

/** Nested values (a reset's outcome) as their own fields: `{outgoing: {accessTokensDiscarded: 0}}` → `accessTokensDiscarded: 0`. */
function flatten(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(record)) {
    // Some fields hold JSON text (a credential's public part, a certificate's details): read as fields too.
    const nested = typeof value === "string" && value.startsWith("{") ? parse(value) : value;
    if (nested && typeof nested === "object" && !Array.isArray(nested) && Object.keys(nested).length) Object.assign(out, flatten(nested as Record<string, unknown>));
    else out[key] = value;
  }
  return out;
}

function parse(text: string | null): Record<string, unknown> {
  if (!text) return {};
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * One audit event in sentences: "Outgoing authentication of “Second” changed" with "Outgoing 3LO
 * turned off". A creation lists what it was created with (what is on or set, not every default).
 */
export function auditSentence(event: { action: string; targetLabel: string | null; targetId: string | null; before: string | null; after: string | null }): AuditSentence {
  const target = event.targetLabel ?? event.targetId ?? "";
  const words = ACTIONS[event.action] ?? `${event.action.replace(/[.-]/g, " ")}${target ? ` (${target})` : ""}`;
  const headline = words.replace("{t}", target);
  const before = flatten(parse(event.before));
  const after = flatten(parse(event.after));
  const created = !event.before;
  // A deletion is its headline: the values it had are no news, one by one.
  if (event.before && !event.after) return { headline, changes: [] };
  const keys = meaningfulChanges(before, after).filter((k) => !created || (after[k] !== null && after[k] !== false && after[k] !== "" && after[k] !== 0));
  return { headline, changes: keys.map((k) => changeSentence(k, before[k], after[k], created)) };
}
