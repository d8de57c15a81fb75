import { databaseKind, databaseUrl } from "@/lib/env/paths";

/**
 * A search for `text` anywhere in a column, ignoring case, on either database. Prisma's `contains`
 * is `LIKE` on SQLite (case-insensitive for ASCII) but case-sensitive on PostgreSQL unless
 * `mode: "insensitive"` is given, which the SQLite client does not accept: so the filter is built
 * for the database in use, and a search finds the same rows on both.
 */
export function containsText(text: string): { contains: string } {
  return databaseKind(databaseUrl()) === "postgresql" ? ({ contains: text, mode: "insensitive" } as { contains: string }) : { contains: text };
}

/**
 * True for PostgreSQL's refusal of text it cannot store (a NUL character, SQLSTATE 22021), from
 * Prisma or from the pool. SQLite stores such text; PostgreSQL refuses the whole statement, which
 * is bad input, not a fault: callers answer 400.
 */
export function isUnstorableText(error: unknown): boolean {
  const e = error as { code?: unknown; cause?: { originalCode?: unknown } } | null;
  return e?.code === "22021" || e?.cause?.originalCode === "22021";
}
