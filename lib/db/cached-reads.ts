import { AsyncLocalStorage } from "node:async_hooks";
import Database from "better-sqlite3";
import type pg from "pg";
import type { Db, Tx } from "@/lib/db";
import { perClient } from "@/lib/db/per-client";
import { postgresqlPool, UTC_TIMESTAMPS } from "@/lib/db/postgresql-pool";
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
 * seen at once, while the nonce every incoming OAuth request writes empties nothing. On
 * PostgreSQL the same triggers bump the same row in the writer's transaction, and each request's
 * first cached read reads the counter (one round trip, no Prisma; its other reads reuse that value:
 * withOneCacheVersion): an answer is reused only while no instance has committed a change since, so
 * a revocation at one instance holds at every other on its next request, with no window. Clients
 * other than the process-wide one (a test's transaction) use Prisma with the same shapes. `cached-reads.test.ts` holds the implementations equal on the same rows.
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
  /** The link that accepts Connect JWTs from this issuer (incoming Connect JWT). */
  linkByJwtIssuer(issuer: string): Promise<Link | null>;
  userByUsername(username: string): Promise<UserRow | null>;
  /** A token this app issued to a linked consumer, by the SHA-256 of its value. */
  issuedToken(tokenHash: string): Promise<IssuedTokenRow | null>;
  /** An OAuth 2.0 access token this app issued to an external application, by the SHA-256 of its value. */
  oauth2AccessToken(tokenHash: string): Promise<OAuth2AccessTokenRow | null>;
}

/** An OAuth 2.0 access token with what deciding a request needs: its grant, client, link and person. */
export interface OAuth2AccessTokenRow {
  kind: string;
  expiresAt: Date;
  grantId: string;
  grantScopes: string;
  grantRevokedAt: Date | null;
  grantLastUsedAt: Date | null;
  clientId: string;
  clientScopes: string;
  linkId: string;
  linkDisabled: boolean;
  user: UserRow;
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
    linkByJwtIssuer: (issuer) => client.link.findUnique({ where: { inJwtIssuer: issuer } }),
    userByUsername: (username) => client.user.findUnique({ where: { username }, select: USER_SELECT }),
    issuedToken: (tokenHash) => client.oAuthIssuedToken.findUnique({ where: { tokenHash }, select: ISSUED_SELECT }),
    oauth2AccessToken: async (tokenHash) => {
      const row = await client.oAuth2Token.findUnique({
        where: { tokenHash },
        select: {
          kind: true,
          expiresAt: true,
          grant: { select: { id: true, scopes: true, revokedAt: true, lastUsedAt: true, user: { select: USER_SELECT }, client: { select: { clientId: true, scopes: true, link: { select: { id: true, disabled: true } } } } } },
        },
      });
      if (!row) return null;
      const { grant } = row;
      return {
        kind: row.kind,
        expiresAt: row.expiresAt,
        grantId: grant.id,
        grantScopes: grant.scopes,
        grantRevokedAt: grant.revokedAt,
        grantLastUsedAt: grant.lastUsedAt,
        clientId: grant.client.clientId,
        clientScopes: grant.client.scopes,
        linkId: grant.client.link.id,
        linkDisabled: grant.client.link.disabled,
        user: grant.user,
      };
    },
  };
}

/** Prisma keeps DateTime as ISO text in SQLite; rows written by SQL defaults have "YYYY-MM-DD HH:MM:SS" (UTC). PostgreSQL's rows come as Dates already. */
export function sqliteDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "number" || typeof value === "bigint") return new Date(Number(value));
  const text = String(value);
  return new Date(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?$/.test(text) ? `${text.replace(" ", "T")}Z` : text);
}

const LINK_BOOLEANS = ["primary", "trustedApps", "basicAccess", "outEnabled", "out3lo", "out2lo", "outImpersonation", "out2loUsers", "inEnabled", "in3lo", "in2lo", "inImpersonation", "disabled"] as const;
const LINK_DATES = ["lastProblemAt", "createdAt", "updatedAt"] as const;

type SqlRow = Record<string, unknown>;

/** SQLite keeps booleans as 0 and 1; PostgreSQL as booleans. */
const bool = (value: unknown) => value === 1 || value === true;

function toUser(row: SqlRow, prefix = ""): UserRow {
  return {
    id: row[`${prefix}id`] as string,
    username: row[`${prefix}username`] as string,
    email: row[`${prefix}email`] as string,
    displayName: row[`${prefix}displayName`] as string,
    role: row[`${prefix}role`] as string,
    disabled: bool(row[`${prefix}disabled`]),
    sessionsValidAfter: sqliteDate(row[`${prefix}sessionsValidAfter`])!,
  };
}

function toLink(row: SqlRow | undefined): Link | null {
  if (!row) return null;
  for (const name of LINK_BOOLEANS) row[name] = bool(row[name]);
  for (const name of LINK_DATES) row[name] = sqliteDate(row[name]);
  return Object.freeze(row) as unknown as Link;
}

/**
 * Answers kept while the tables they come from are unchanged (the CacheVersion counter), and
 * bounded. The counter is read before the row, and an answer is kept only under the counter value
 * read before it: with reads in flight at once (PostgreSQL), one that began before a change never
 * files its older answer under the newer value.
 */
class UntilChanged {
  private version = -1;
  private readonly answers = new Map<string, unknown>();

  constructor(private readonly cacheVersion: () => number | Promise<number>) {}

  async get<T>(key: string, read: () => T | Promise<T>): Promise<T> {
    const request = oneRequest.getStore();
    const version = await (request ? (request.version ??= this.cacheVersion()) : this.cacheVersion());
    if (version > this.version || this.answers.size > 5000) {
      this.answers.clear();
      this.version = version;
    }
    // An older value than the newest seen: a read that overtook this one already saw a change.
    if (version < this.version) return read();
    if (this.answers.has(key)) return this.answers.get(key) as T;
    const answer = await read();
    if (this.version === version) this.answers.set(key, answer);
    return answer;
  }
}

/** The counter as read once for one request (see withOneCacheVersion). */
const oneRequest = new AsyncLocalStorage<{ version?: number | Promise<number> }>();

/**
 * Runs one request's work with one CacheVersion read for all its cached reads (the caller's token,
 * the link, the signer, a secret), taken at its first read: every answer it gets is as fresh as a
 * change committed before that read, so a revocation is seen on the next request, and a request
 * pays one counter read (one round trip on PostgreSQL) instead of one per read. The web layer
 * wraps each reading API request and each proxied one in it (lib/api): not a request that writes
 * and then reads what it wrote, which would get the answer from before its write.
 */
export function withOneCacheVersion<T>(work: () => T): T {
  return oneRequest.run({}, work);
}

/** The statements behind the cached reads, the same on both databases (`?` parameters). */
const SQL = {
  version: `SELECT "version" FROM "CacheVersion" WHERE "id" = 1`,
  token: `SELECT t."id" AS "id", t."revokedAt" AS "revokedAt", t."lastUsedAt" AS "lastUsedAt",
              u."id" AS "u_id", u."username" AS "u_username", u."email" AS "u_email", u."displayName" AS "u_displayName",
              u."role" AS "u_role", u."disabled" AS "u_disabled", u."sessionsValidAfter" AS "u_sessionsValidAfter"
         FROM "ApiToken" t JOIN "User" u ON u."id" = t."userId" WHERE t."tokenHash" = ?`,
  user: `SELECT "id", "username", "email", "displayName", "role", "disabled", "sessionsValidAfter" FROM "User" WHERE "id" = ?`,
  userByUsername: `SELECT "id", "username", "email", "displayName", "role", "disabled", "sessionsValidAfter" FROM "User" WHERE "username" = ?`,
  link: `SELECT * FROM "Link" WHERE "id" = ?`,
  linkByConsumerKey: `SELECT * FROM "Link" WHERE "inConsumerKey" = ?`,
  linkByJwtIssuer: `SELECT * FROM "Link" WHERE "inJwtIssuer" = ?`,
  issued: `SELECT "id", "linkId", "kind", "userId", "callback", "verifierHash", "secretId", "expiresAt", "lastUsedAt" FROM "OAuthIssuedToken" WHERE "tokenHash" = ?`,
  signer: `SELECT "consumerKey", "privateKeySecretId" FROM "AppIdentity" WHERE "id" = 1`,
  accessToken: `SELECT "id", "token", "secretId", "lastUsedAt" FROM "OAuthAccessToken" WHERE "userId" = ? AND "linkId" = ?`,
  secret: `SELECT "id", "purpose", "sealed" FROM "VaultSecret" WHERE "id" = ?`,
  oauth2Access: `SELECT t."kind" AS "kind", t."expiresAt" AS "expiresAt", g."id" AS "grantId", g."scopes" AS "grantScopes",
              g."revokedAt" AS "grantRevokedAt", g."lastUsedAt" AS "grantLastUsedAt", c."clientId" AS "clientId", c."scopes" AS "clientScopes",
              l."id" AS "linkId", l."disabled" AS "linkDisabled",
              u."id" AS "u_id", u."username" AS "u_username", u."email" AS "u_email", u."displayName" AS "u_displayName",
              u."role" AS "u_role", u."disabled" AS "u_disabled", u."sessionsValidAfter" AS "u_sessionsValidAfter"
         FROM "OAuth2Token" t JOIN "OAuth2Grant" g ON g."id" = t."grantId" JOIN "OAuth2Client" c ON c."id" = g."clientRowId"
         JOIN "Link" l ON l."id" = c."linkId" JOIN "User" u ON u."id" = g."userId" WHERE t."tokenHash" = ?`,
} as const;

type Statement = Exclude<keyof typeof SQL, "version">;
/** One row of a statement, or undefined. */
type RowOf = (statement: Statement, ...params: string[]) => SqlRow | undefined | Promise<SqlRow | undefined>;

/** The cached reads over any database that answers the statements above. */
function fastReads(cacheVersion: () => number | Promise<number>, row: RowOf): CachedReads {
  const kept = new UntilChanged(cacheVersion);
  return {
    apiTokenByHash: (tokenHash) =>
      kept.get(`token:${tokenHash}`, async () => {
        const r = await row("token", tokenHash);
        return r ? Object.freeze({ id: r.id as string, revokedAt: sqliteDate(r.revokedAt), lastUsedAt: sqliteDate(r.lastUsedAt), user: Object.freeze(toUser(r, "u_")) }) : null;
      }),
    userById: (id) => kept.get(`user:${id}`, async () => {
      const r = await row("user", id);
      return r ? Object.freeze(toUser(r)) : null;
    }),
    linkById: (id) => kept.get(`link:${id}`, async () => toLink(await row("link", id))),
    linkByConsumerKey: (consumerKey) => kept.get(`link-consumer:${consumerKey}`, async () => toLink(await row("linkByConsumerKey", consumerKey))),
    linkByJwtIssuer: (issuer) => kept.get(`link-jwt:${issuer}`, async () => toLink(await row("linkByJwtIssuer", issuer))),
    userByUsername: (username) =>
      kept.get(`username:${username}`, async () => {
        const r = await row("userByUsername", username);
        return r ? Object.freeze(toUser(r)) : null;
      }),
    issuedToken: (tokenHash) =>
      kept.get(`issued:${tokenHash}`, async () => {
        const r = await row("issued", tokenHash);
        if (!r) return null;
        return Object.freeze({
          id: r.id as string,
          linkId: r.linkId as string,
          kind: r.kind as string,
          userId: (r.userId as string | null) ?? null,
          callback: (r.callback as string | null) ?? null,
          verifierHash: (r.verifierHash as string | null) ?? null,
          secretId: r.secretId as string,
          expiresAt: sqliteDate(r.expiresAt)!,
          lastUsedAt: sqliteDate(r.lastUsedAt),
        });
      }),
    oauth2AccessToken: (tokenHash) =>
      kept.get(`oauth2:${tokenHash}`, async () => {
        const r = await row("oauth2Access", tokenHash);
        if (!r) return null;
        return Object.freeze({
          kind: r.kind as string,
          expiresAt: sqliteDate(r.expiresAt)!,
          grantId: r.grantId as string,
          grantScopes: r.grantScopes as string,
          grantRevokedAt: sqliteDate(r.grantRevokedAt),
          grantLastUsedAt: sqliteDate(r.grantLastUsedAt),
          clientId: r.clientId as string,
          clientScopes: r.clientScopes as string,
          linkId: r.linkId as string,
          linkDisabled: bool(r.linkDisabled),
          user: Object.freeze(toUser(r, "u_")),
        });
      }),
    appSignerRow: () => kept.get("signer", async () => Object.freeze(((await row("signer")) as { consumerKey: string; privateKeySecretId: string } | undefined) ?? null)),
    accessToken: (userId, linkId) =>
      kept.get(`access:${userId}:${linkId}`, async () => {
        const r = await row("accessToken", userId, linkId);
        return r ? Object.freeze({ id: r.id as string, token: r.token as string, secretId: r.secretId as string, lastUsedAt: sqliteDate(r.lastUsedAt) }) : null;
      }),
    vaultSecret: (id) => kept.get(`secret:${id}`, async () => Object.freeze(((await row("secret", id)) as { id: string; purpose: string; sealed: string } | undefined) ?? null)),
  };
}

/** SQLite: prepared statements on a read-only connection of their own (no round trip at all). */
function sqliteReads(file: string): CachedReads {
  const connection = new Database(file, { readonly: true, fileMustExist: true, timeout: 5000 });
  const version = connection.prepare(SQL.version).pluck();
  const statements = new Map(Object.entries(SQL).map(([name, text]) => [name, connection.prepare(text)]));
  return fastReads(
    () => version.get() as number,
    (statement, ...params) => statements.get(statement)!.get(...params) as SqlRow | undefined,
  );
}

/** PostgreSQL: named prepared statements on the process's pool; the counter is read before every answer. */
function postgresqlReads(pool: pg.Pool): CachedReads {
  const numbered = (text: string) => {
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  };
  const queries = new Map(Object.entries(SQL).map(([name, text]) => [name, { name: `applink_${name}`, text: numbered(text), types: UTC_TIMESTAMPS }]));
  // Every read waits for a counter read sent after it asked: never one already on its way (which
  // could predate a commit the caller saw). Readers that ask before the next one is sent share it,
  // so under load one round trip answers many requests' reads.
  let next: Promise<number> | null = null;
  const cacheVersion = () =>
    (next ??= new Promise<number>((resolve, reject) =>
      setImmediate(() => {
        next = null;
        pool.query(queries.get("version")!).then((result) => resolve(Number(result.rows[0]?.version ?? 0)), reject);
      }),
    ));
  return fastReads(
    cacheVersion,
    async (statement, ...values) => (await pool.query<SqlRow>({ ...queries.get(statement)!, values })).rows[0],
  );
}

/** The cached reads for `client`: prepared statements for the process-wide client, Prisma for any other (a transaction). */
export const cachedReads: (client: Db | Tx) => CachedReads = perClient<CachedReads>({ prisma: prismaReads, sqlite: sqliteReads, postgresql: (url) => postgresqlReads(postgresqlPool(url)) });

/** Prisma's and the fast implementation over this process's database, for the test that holds them equal. */
export function cachedReadsForTest(client: Db) {
  const url = databaseUrl();
  return { prisma: prismaReads(client), fast: databaseKind(url) === "sqlite" ? sqliteReads(sqliteFile(url)) : postgresqlReads(postgresqlPool(url)) };
}
