import Database from "better-sqlite3";
import { db as processDb, type Db, type Tx } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { databaseKind, databaseUrl, sqliteFile } from "@/lib/env/paths";

/**
 * The few reads every request through a link makes (who is calling, the link, what we sign with),
 * answered in microseconds. Prisma's query compiler costs about 0.85 ms per `findUnique` here,
 * which alone would cap the signed proxy at a fraction of the hand-written reference; with the
 * embedded SQLite database these reads go through prepared statements on a read-only connection
 * instead, and their answers are kept until a table they read changes: triggers bump the
 * `CacheVersion` row on every change to those tables, by any connection (this process's Prisma
 * client, another process, the admin CLI), so a token revoked or a user disabled a moment ago is
 * seen at once, while the nonce every incoming OAuth request writes empties nothing. Other
 * databases, and clients other than the process-wide one (a test's transaction), use Prisma with
 * the same shapes. `cached-reads.test.ts` holds both implementations equal on the same rows.
 * Answers are shared between callers: never modify one.
 */
export interface CachedReads {
  apiTokenByHash(tokenHash: string): Promise<ApiTokenRow | null>;
  userById(id: string): Promise<UserRow | null>;
  linkById(id: string): Promise<Link | null>;
  appSignerRow(): Promise<{ consumerKey: string; privateKeySecretId: string } | null>;
  accessToken(userId: string, linkId: string): Promise<AccessTokenRow | null>;
  vaultSecret(id: string): Promise<{ id: string; purpose: string; sealed: string } | null>;
  /** The link whose incoming consumer has this key (incoming OAuth). */
  linkByConsumerKey(consumerKey: string): Promise<Link | null>;
  userByUsername(username: string): Promise<UserRow | null>;
  /** A token this app issued to a linked consumer, by the SHA-256 of its value. */
  issuedToken(tokenHash: string): Promise<IssuedTokenRow | null>;
}

export interface IssuedTokenRow {
  id: string;
  linkId: string;
  kind: string;
  userId: string | null;
  callback: string | null;
  verifierHash: string | null;
  secretId: string;
  expiresAt: Date;
  lastUsedAt: Date | null;
}

/** A user as the database holds it (never the password hash): the one declaration the caller, sign-in and public views derive from. */
export interface UserRow {
  id: string;
  username: string;
  email: string;
  displayName: string;
  role: string;
  disabled: boolean;
  sessionsValidAfter: Date;
}
export interface ApiTokenRow {
  id: string;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  user: UserRow;
}
export interface AccessTokenRow {
  id: string;
  token: string;
  secretId: string;
  lastUsedAt: Date | null;
}

/** The user row every caller is made from, in Prisma's terms (the SQL below reads the same columns). */
export const USER_SELECT = { id: true, username: true, email: true, displayName: true, role: true, disabled: true, sessionsValidAfter: true } as const;
const ISSUED_SELECT = { id: true, linkId: true, kind: true, userId: true, callback: true, verifierHash: true, secretId: true, expiresAt: true, lastUsedAt: true } as const;

function prismaReads(client: Db | Tx): CachedReads {
  return {
    apiTokenByHash: (tokenHash) => client.apiToken.findUnique({ where: { tokenHash }, select: { id: true, revokedAt: true, lastUsedAt: true, user: { select: USER_SELECT } } }),
    userById: (id) => client.user.findUnique({ where: { id }, select: USER_SELECT }),
    linkById: (id) => client.link.findUnique({ where: { id } }),
    appSignerRow: () => client.appIdentity.findUnique({ where: { id: 1 }, select: { consumerKey: true, privateKeySecretId: true } }),
    accessToken: (userId, linkId) => client.oAuthAccessToken.findUnique({ where: { userId_linkId: { userId, linkId } }, select: { id: true, token: true, secretId: true, lastUsedAt: true } }),
    vaultSecret: (id) => client.vaultSecret.findUnique({ where: { id }, select: { id: true, purpose: true, sealed: true } }),
    linkByConsumerKey: (consumerKey) => client.link.findUnique({ where: { inConsumerKey: consumerKey } }),
    userByUsername: (username) => client.user.findUnique({ where: { username }, select: USER_SELECT }),
    issuedToken: (tokenHash) => client.oAuthIssuedToken.findUnique({ where: { tokenHash }, select: ISSUED_SELECT }),
  };
}

/** Prisma keeps DateTime as ISO text in SQLite; rows written by SQL defaults have "YYYY-MM-DD HH:MM:SS" (UTC). */
export function sqliteDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

const LINK_BOOLEANS = ["primary", "trustedApps", "basicAccess", "outEnabled", "out3lo", "out2lo", "outImpersonation", "out2loUsers", "inEnabled", "in3lo", "in2lo", "inImpersonation", "disabled"] as const;
const LINK_DATES = ["lastProblemAt", "createdAt", "updatedAt"] as const;

type SqlRow = Record<string, unknown>;

function toUser(row: SqlRow, prefix = ""): UserRow {
  return {
    id: row[`${prefix}id`] as string,
    username: row[`${prefix}username`] as string,
    email: row[`${prefix}email`] as string,
    displayName: row[`${prefix}displayName`] as string,
    role: row[`${prefix}role`] as string,
    disabled: row[`${prefix}disabled`] === 1,
    sessionsValidAfter: sqliteDate(row[`${prefix}sessionsValidAfter`])!,
  };
}

function toLink(row: SqlRow | undefined): Link | null {
  if (!row) return null;
  for (const name of LINK_BOOLEANS) row[name] = row[name] === 1;
  for (const name of LINK_DATES) row[name] = sqliteDate(row[name]);
  return Object.freeze(row) as unknown as Link;
}

/** Answers kept while the tables they come from are unchanged (the CacheVersion counter), and bounded. */
class UntilChanged {
  private version: unknown = undefined;
  private readonly answers = new Map<string, unknown>();

  constructor(private readonly cacheVersion: () => unknown) {}

  get<T>(key: string, read: () => T): T {
    const version = this.cacheVersion();
    if (version !== this.version || this.answers.size > 5000) {
      this.answers.clear();
      this.version = version;
    }
    if (this.answers.has(key)) return this.answers.get(key) as T;
    const answer = read();
    this.answers.set(key, answer);
    return answer;
  }
}

function sqliteReads(file: string): CachedReads {
  const connection = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  const cacheVersion = connection.prepare(`SELECT "version" FROM "CacheVersion" WHERE "id" = 1`).pluck();
  const kept = new UntilChanged(() => cacheVersion.get());
  const statements = {
    token: connection.prepare(
      `SELECT t."id" AS "id", t."revokedAt" AS "revokedAt", t."lastUsedAt" AS "lastUsedAt",
              u."id" AS "u_id", u."username" AS "u_username", u."email" AS "u_email", u."displayName" AS "u_displayName",
              u."role" AS "u_role", u."disabled" AS "u_disabled", u."sessionsValidAfter" AS "u_sessionsValidAfter"
         FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId" WHERE t."tokenHash" = ?`,
    ),
    user: connection.prepare(`SELECT "id", "username", "email", "displayName", "role", "disabled", "sessionsValidAfter" FROM "User" WHERE "id" = ?`),
    userByUsername: connection.prepare(`SELECT "id", "username", "email", "displayName", "role", "disabled", "sessionsValidAfter" FROM "User" WHERE "username" = ?`),
    link: connection.prepare(`SELECT * FROM "Link" WHERE "id" = ?`),
    linkByConsumerKey: connection.prepare(`SELECT * FROM "Link" WHERE "inConsumerKey" = ?`),
    issued: connection.prepare(
      `SELECT "id", "linkId", "kind", "userId", "callback", "verifierHash", "secretId", "expiresAt", "lastUsedAt" FROM "OAuthIssuedToken" WHERE "tokenHash" = ?`,
    ),
    signer: connection.prepare(`SELECT "consumerKey", "privateKeySecretId" FROM "AppIdentity" WHERE "id" = 1`),
    accessToken: connection.prepare(`SELECT "id", "token", "secretId", "lastUsedAt" FROM "OAuthAccessToken" WHERE "userId" = ? AND "linkId" = ?`),
    secret: connection.prepare(`SELECT "id", "purpose", "sealed" FROM "VaultSecret" WHERE "id" = ?`),
  };
  return {
    async apiTokenByHash(tokenHash) {
      return kept.get(`token:${tokenHash}`, () => {
        const row = statements.token.get(tokenHash) as SqlRow | undefined;
        return row ? Object.freeze({ id: row.id as string, revokedAt: sqliteDate(row.revokedAt), lastUsedAt: sqliteDate(row.lastUsedAt), user: Object.freeze(toUser(row, "u_")) }) : null;
      });
    },
    async userById(id) {
      return kept.get(`user:${id}`, () => {
        const row = statements.user.get(id) as SqlRow | undefined;
        return row ? Object.freeze(toUser(row)) : null;
      });
    },
    async linkById(id) {
      return kept.get(`link:${id}`, () => toLink(statements.link.get(id) as SqlRow | undefined));
    },
    async linkByConsumerKey(consumerKey) {
      return kept.get(`link-consumer:${consumerKey}`, () => toLink(statements.linkByConsumerKey.get(consumerKey) as SqlRow | undefined));
    },
    async userByUsername(username) {
      return kept.get(`username:${username}`, () => {
        const row = statements.userByUsername.get(username) as SqlRow | undefined;
        return row ? Object.freeze(toUser(row)) : null;
      });
    },
    async issuedToken(tokenHash) {
      return kept.get(`issued:${tokenHash}`, () => {
        const row = statements.issued.get(tokenHash) as SqlRow | undefined;
        if (!row) return null;
        return Object.freeze({
          id: row.id as string,
          linkId: row.linkId as string,
          kind: row.kind as string,
          userId: (row.userId as string | null) ?? null,
          callback: (row.callback as string | null) ?? null,
          verifierHash: (row.verifierHash as string | null) ?? null,
          secretId: row.secretId as string,
          expiresAt: sqliteDate(row.expiresAt)!,
          lastUsedAt: sqliteDate(row.lastUsedAt),
        });
      });
    },
    async appSignerRow() {
      return kept.get("signer", () => Object.freeze((statements.signer.get() as { consumerKey: string; privateKeySecretId: string } | undefined) ?? null));
    },
    async accessToken(userId, linkId) {
      return kept.get(`access:${userId}:${linkId}`, () => {
        const row = statements.accessToken.get(userId, linkId) as SqlRow | undefined;
        return row ? Object.freeze({ id: row.id as string, token: row.token as string, secretId: row.secretId as string, lastUsedAt: sqliteDate(row.lastUsedAt) }) : null;
      });
    },
    async vaultSecret(id) {
      return kept.get(`secret:${id}`, () => Object.freeze((statements.secret.get(id) as { id: string; purpose: string; sealed: string } | undefined) ?? null));
    },
  };
}

const byClient = new WeakMap<object, CachedReads>();

/** The cached reads for `client`: prepared statements for the process-wide client on SQLite, else Prisma. */
export function cachedReads(client: Db | Tx): CachedReads {
  let reads = byClient.get(client);
  if (!reads) {
    const url = databaseUrl();
    reads = client === processDb && databaseKind(url) === "sqlite" ? sqliteReads(sqliteFile(url)) : prismaReads(client);
    byClient.set(client, reads);
  }
  return reads;
}

/** Both implementations over one database, for the test that holds them equal. */
export function cachedReadsForTest(client: Db) {
  return { prisma: prismaReads(client), sqlite: sqliteReads(sqliteFile(databaseUrl())) };
}
