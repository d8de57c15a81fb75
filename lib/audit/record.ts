import type { Db, Tx } from "@/lib/db";
import { meaningfulChanges } from "@/lib/audit/sentences";

/** Who did something (declared with the caller: lib/auth/caller.ts). */
export type { Actor } from "@/lib/auth/caller";
import type { Actor } from "@/lib/auth/caller";

export interface AuditInput {
  action: string;
  targetType: string;
  targetId?: string | null;
  targetLabel?: string | null;
  before?: Record<string, unknown> | null;
  after?: Record<string, unknown> | null;
}

/**
 * Field names that hold secrets: passwords, hashes, secrets, private keys, token values, cookies.
 * Consumer keys, public keys, token names and URLs are not secrets and stay visible.
 */
const SECRET_KEY = /password|passwd|secret|hash$|private|^token$|tokenValue|accessToken$|requestToken$|verifier|cookie|authorization|sealed/i;

/** Drops every secret-looking field, at any depth, before a snapshot is stored. */
export function redactSnapshot(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSnapshot);
  if (value instanceof Date) return value.toISOString();
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (!SECRET_KEY.test(k)) out[k] = redactSnapshot(v);
    }
    return out;
  }
  return value;
}

/**
 * Appends one event to the audit log, inside the caller's transaction when given one. A change
 * (before and after given) that changed nothing but bookkeeping (the version) writes nothing: a save
 * that changes nothing is no event.
 */
export async function recordAudit(client: Db | Tx, actor: Actor, input: AuditInput): Promise<void> {
  const before = input.before ? (redactSnapshot(input.before) as Record<string, unknown>) : null;
  const after = input.after ? (redactSnapshot(input.after) as Record<string, unknown>) : null;
  if (before && after && meaningfulChanges(before, after).length === 0) return;
  await client.auditEvent.create({
    data: {
      actorId: actor.id,
      actorUsername: actor.username,
      via: actor.via,
      action: input.action,
      targetType: input.targetType,
      targetId: input.targetId ?? null,
      targetLabel: input.targetLabel ?? null,
      before: before ? JSON.stringify(before) : null,
      after: after ? JSON.stringify(after) : null,
    },
  });
}
