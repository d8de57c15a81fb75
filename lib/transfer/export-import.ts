import fs from "node:fs";
import path from "node:path";
import type { Db, Tx } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { KeyProvider } from "@/lib/vault/key-provider";

export const EXPORT_FORMAT = "applink-admin-export";
export const EXPORT_VERSION = 1;

/**
 * What an export holds, in the order an import writes it (a row's foreign keys point back up the
 * list): every table that describes the installation. Left out, because they are moments, not
 * data: nonces, failed sign-ins and known sign-in addresses (the throttle), 3LO dances in progress
 * (ten minutes long), OAuth 2.0 authorization codes and this app's own OAuth 2.0 authorizations in
 * progress (as long), leases, the cache counter, and the
 * session secret's check value (the target keeps its own: a move signs everyone out, as a new
 * NEXTAUTH_SECRET would). External applications' OAuth 2.0 clients, grants and tokens move, and so
 * do people's OAuth 2.0 tokens at remotes (sealed): nobody need authorize anything again. Links'
 * status history (changes, checks, days) moves with them, and so do the notification channels and
 * the SMTP server (their secrets sealed); the outbox and the delivery log stay (an alert is the
 * source's to send).
 */
const TABLES = ["user", "apiToken", "vaultSecret", "appIdentity", "link", "linkStatus", "linkStatusChange", "linkCheckRun", "linkDay", "oAuthAccessToken", "oAuthIssuedToken", "oAuth2Client", "oAuth2Grant", "oAuth2Token", "oAuth2RemoteToken", "notificationChannel", "smtpSettings", "auditEvent"] as const;
type Table = (typeof TABLES)[number];

/** How each table's rows are listed, when not by `createdAt`. */
const ORDER: Partial<Record<Table, Record<string, "asc">>> = { linkStatus: { linkId: "asc" }, appIdentity: { id: "asc" }, linkStatusChange: { at: "asc" }, linkCheckRun: { at: "asc" }, linkDay: { day: "asc" }, smtpSettings: { id: "asc" } };

/** Columns Prisma leaves out of ordinary reads (lib/db): an export asks for them. */
const SECRET_COLUMNS: Partial<Record<Table, string[]>> = {
  user: ["passwordHash"],
  apiToken: ["tokenHash"],
  oAuthIssuedToken: ["tokenHash", "verifierHash"],
  vaultSecret: ["sealed"],
};

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  /** The last migration the data was written under: import wants the same. */
  schema: string;
  /** Master key ids the sealed secrets need (the keys themselves move separately). */
  masterKeyIds: string[];
  tables: Record<Table, Record<string, unknown>[]>;
}

/** The newest migration this version of the app knows (names are the same in both databases' folders from PostgreSQL's baseline on). */
export function schemaVersion(root = process.cwd()): string {
  return fs
    .readdirSync(path.join(root, "prisma", "migrations"), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .at(-1)!;
}

type Delegate = {
  findMany(args: object): Promise<Record<string, unknown>[]>;
  deleteMany(args?: object): Promise<unknown>;
  createMany(args: { data: Record<string, unknown>[] }): Promise<unknown>;
};
const delegate = (client: Db | Tx, table: Table) => (client as unknown as Record<Table, Delegate>)[table];

/** Dates as `{"$date": ISO}` in the file, so an import restores them as dates, not text. */
function encode(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? { $date: v.toISOString() } : v]));
}
function decode(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(row).map(([k, v]) => [k, v && typeof v === "object" && "$date" in v && typeof (v as { $date: unknown }).$date === "string" ? new Date((v as { $date: string }).$date) : v]),
  );
}

/** Everything the installation is, as one JSON document; secrets stay sealed under the master key. */
export async function exportData(db: Db): Promise<ExportFile> {
  return db.$transaction(
    async (tx) => {
      const tables = {} as ExportFile["tables"];
      for (const table of TABLES) {
        const omit = Object.fromEntries((SECRET_COLUMNS[table] ?? []).map((c) => [c, false]));
        tables[table] = (await delegate(tx, table).findMany({ omit, orderBy: ORDER[table] ?? { createdAt: "asc" } })).map(encode);
      }
      const masterKeyIds = [...new Set(tables.vaultSecret.map((row) => row.keyId as string))].sort();
      return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), schema: schemaVersion(), masterKeyIds, tables };
    },
    { timeout: 120_000 },
  );
}

/** Checks a file's shape and that this instance can open its secrets; the message says what to do. */
export function parseExport(text: string, keyring: Pick<KeyProvider, "current" | "all">): ExportFile {
  let file: ExportFile;
  try {
    file = JSON.parse(text) as ExportFile;
  } catch {
    throw new AppError("bad_request", "That file is not an Applink Admin export (not JSON; truncated?).");
  }
  if (file?.format !== EXPORT_FORMAT || typeof file.tables !== "object" || file.tables === null) throw new AppError("bad_request", "That file is not an Applink Admin export.");
  if (file.version !== EXPORT_VERSION) throw new AppError("bad_request", `That export has format version ${String(file.version)}; this app reads version ${EXPORT_VERSION}.`);
  const here = schemaVersion();
  if (file.schema !== here) {
    throw new AppError("conflict", `That export was written at database version ${file.schema}; this app is at ${here}. Import it with the version of the app that exported it, then upgrade.`);
  }
  for (const table of TABLES) if (!Array.isArray(file.tables[table])) throw new AppError("bad_request", `That export has no "${table}" table.`);
  const known = new Set(keyring.all.map((key) => key.id));
  const missing = (file.masterKeyIds ?? []).filter((id) => !known.has(id));
  const sealedWith = [...new Set(file.tables.vaultSecret.map((row) => row.keyId as string))].filter((id) => !known.has(id));
  if (missing.length || sealedWith.length) {
    throw new AppError(
      "conflict",
      `That export's secrets are sealed with master key ${[...new Set([...missing, ...sealedWith])].join(", ")}, and this instance has ${keyring.current.id}. ${[...missing, ...sealedWith].some((id) => id.startsWith("hsm-")) ? "Point APP_KEY_PROVIDER=pkcs11 and the PKCS11_* settings at the exporting installation's HSM key" : "Set APP_MASTER_KEY to the exporting installation's master key (its data folder's master-key file, or its APP_MASTER_KEY)"} and import again; the key never travels in the export.`,
    );
  }
  return file;
}

export interface ImportResult {
  rows: Record<Table, number>;
}

/**
 * Replaces this database's contents with an export's, in one transaction: a failure leaves the
 * database as it was. Refuses a database that already holds links or more than its first
 * administrator unless `replace` says so (the target of a move has been started once at most).
 */
export async function importData(db: Db, file: ExportFile, options: { replace: boolean }): Promise<ImportResult> {
  if (!options.replace) {
    const [links, users] = await Promise.all([db.link.count(), db.user.count()]);
    if (links > 0 || users > 1) {
      throw new AppError("conflict", `This database already holds ${links} link${links === 1 ? "" : "s"} and ${users} user${users === 1 ? "" : "s"}. Import into a new database, or add --replace to discard everything in it.`);
    }
  }
  return db.$transaction(
    async (tx) => {
      for (const table of [...TABLES].reverse()) await delegate(tx, table).deleteMany({});
      const rows = {} as Record<Table, number>;
      for (const table of TABLES) {
        const data = file.tables[table].map(decode);
        for (let i = 0; i < data.length; i += 500) await delegate(tx, table).createMany({ data: data.slice(i, i + 500) });
        rows[table] = data.length;
      }
      return { rows };
    },
    { timeout: 600_000, maxWait: 10_000 },
  );
}
