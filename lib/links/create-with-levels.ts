import type { Db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { createLink } from "@/lib/links/create-link";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { executeAsProblem } from "@/lib/links/update-link";
import type { CreateLinkInput } from "@/lib/links/schemas";
import { setLevels, type Levels } from "@/lib/links/levels";
import { createUser } from "@/lib/users/create-user";
import { usernameSchema } from "@/lib/validation/fields";

/** Who the remote's 2-legged requests run as: a new service user made for them, or an existing user. */
export type RunAs = { kind: "service"; username: string } | { kind: "existing"; username: string };

export interface LevelsAtCreation {
  outgoing: Levels;
  /** Applied only when incoming OAuth could be set up (the remote's consumer was fetched). */
  incoming: Levels;
  /** Needed when incoming 2LO is on. */
  runAs?: RunAs;
  /** Incoming impersonation lets the remote act as any user here by username: the admin confirmed both share one user base. */
  impersonationConfirmed: boolean;
}

/**
 * A username for the user a remote's 2-legged requests run as: its name, plain, with `-2lo`
 * (`First` → `first-2lo`), or `linked-app-2lo` when the name leaves nothing usable.
 */
export function serviceUsernameFor(remoteName: string): string {
  const base = remoteName
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 56);
  return `${base || "linked-app"}-2lo`;
}

/**
 * What the create form asks, checked before anything is created: impersonation confirmed, and a
 * user for incoming 2LO (a free username for a new service user, or an active existing user).
 * A refusal names its field; nothing is created.
 */
export async function checkLevelsAtCreation(db: Db, levels: LevelsAtCreation): Promise<void> {
  const fields: Record<string, string> = {};
  if (levels.incoming.impersonation && !levels.impersonationConfirmed) {
    fields.inImpersonationConfirmed = "Confirm that both applications share one user base, or leave incoming impersonation off.";
  }
  if (levels.incoming.twoLegged) {
    const runAs = levels.runAs;
    if (!runAs || !runAs.username.trim()) {
      fields[runAs?.kind === "existing" ? "inExecuteAs" : "inServiceUser"] = "2-legged requests run as a local user: name one.";
    } else if (runAs.kind === "service") {
      const parsed = usernameSchema.safeParse(runAs.username);
      if (!parsed.success) fields.inServiceUser = parsed.error.issues[0]!.message;
      else if (await db.user.findUnique({ where: { username: parsed.data.toLowerCase() }, select: { id: true } })) fields.inServiceUser = `A user "${parsed.data.toLowerCase()}" already exists: choose it as an existing user, or name another.`;
    } else {
      const problem = await executeAsProblem(db, runAs.username.trim());
      if (problem) fields.inExecuteAs = problem;
    }
  }
  if (Object.keys(fields).length) throw new AppError("validation_failed", Object.values(fields)[0]!, { fields });
}

/**
 * Creates a link and sets, at once, exactly the levels its create form showed: the outgoing
 * levels, and the incoming ones once the remote's consumer is known, with incoming 2LO running as
 * the user chosen (a new service user is made for it, audited, with a password no one is shown).
 * What could not be set is said in the warnings, never dropped without a word.
 */
export async function createLinkWithLevels(db: Db, caller: Caller, input: CreateLinkInput, levels: LevelsAtCreation): Promise<{ link: Link; warnings: string[] }> {
  await checkLevelsAtCreation(db, levels);
  const { link, warnings } = await createLink(db, caller, input);
  const incomingWanted = levels.incoming.threeLegged || levels.incoming.twoLegged || levels.incoming.impersonation;
  let incoming: (Levels & { executeAs?: string | null }) | undefined;
  if (link.inConsumerKey) {
    let executeAs: string | null = null;
    if (levels.incoming.twoLegged && levels.runAs) {
      executeAs = levels.runAs.username.trim().toLowerCase();
      if (levels.runAs.kind === "service") {
        try {
          await createUser(db, caller, { username: executeAs, email: `${executeAs}@service.invalid`, displayName: `${link.name} (2-legged requests)`, role: "USER" });
          warnings.push(`Created the user "${executeAs}" for ${link.name}'s 2-legged requests. No one can sign in as it until an administrator sets its password.`);
        } catch (error) {
          // Taken since it was checked (another admin, at the same moment): the link stays, without 2LO, and says so.
          if (!(error instanceof AppError)) throw error;
          warnings.push(`The user "${executeAs}" could not be created (${error.message}): incoming 2LO stays off until you choose whom it runs as (Incoming).`);
          executeAs = null;
        }
      }
    }
    incoming = { ...levels.incoming, executeAs };
  } else if (incomingWanted) {
    warnings.push(`Incoming (${link.name} → this app) was not set up: its consumer is not known yet. Fetch or paste it on this page, then choose the levels.`);
  }
  try {
    warnings.push(...(await setLevels(db, caller, link.id, { outgoing: levels.outgoing, incoming })));
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    warnings.push(`The levels chosen were not all applied: ${error.message}`);
  }
  return { link: await findLinkOrThrow(db, link.id), warnings };
}
