import type { Db } from "@/lib/db";
import type { Actor } from "@/lib/audit/record";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { setIncoming, setOutgoing } from "@/lib/links/update-link";

/** The OAuth 1.0a levels of one direction of a link. */
export interface Levels {
  threeLegged: boolean;
  twoLegged: boolean;
  impersonation: boolean;
}

/**
 * This side's levels set to `levels`, keeping everything else (execute-as user, consumer, URLs).
 * Incoming 2LO runs as a user chosen here: without one it is left off, and the answer says so.
 */
export async function setLevels(db: Db, actor: Actor, linkId: string, change: { outgoing?: Levels; incoming?: Levels & { executeAs?: string | null } }): Promise<string[]> {
  const notes: string[] = [];
  if (change.outgoing) await setOutgoing(db, actor, linkId, { threeLegged: change.outgoing.threeLegged, twoLegged: change.outgoing.twoLegged, impersonation: change.outgoing.impersonation });
  if (change.incoming) {
    const link = await findLinkOrThrow(db, linkId);
    const executeAs = change.incoming.executeAs || link.inExecuteAs;
    const twoLegged = change.incoming.twoLegged && !!executeAs;
    if (change.incoming.twoLegged && !twoLegged) notes.push("incoming 2LO stays off until you choose the user it runs as (Incoming)");
    await setIncoming(db, actor, linkId, { threeLegged: change.incoming.threeLegged, twoLegged, impersonation: change.incoming.impersonation, executeAs });
  }
  return notes;
}
