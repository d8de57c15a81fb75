import crypto from "node:crypto";
import type { z } from "zod";
import type { Db } from "@/lib/db";
import { isDelegatedVia, type Actor } from "@/lib/auth/caller";
import { recordAudit } from "@/lib/audit/record";
import { AppError } from "@/lib/errors";
import { findLinkOrThrow } from "@/lib/links/find-link";
import type { OAuth2Client } from "@/lib/generated/prisma/client";
import { scopeList, scopeText, type OAuth2Scope } from "@/lib/auth/oauth2-scopes";
import { oauth2ClientSchema } from "@/lib/links/schemas";
import { hashToken, sameHash } from "@/lib/crypto/token-hash";


/** Plain-http redirect URLs beyond loopback (OAUTH2_ALLOW_HTTP_REDIRECTS=true; Atlassian has the same switch). */
export function httpRedirectsAllowed(env: Record<string, string | undefined> = process.env): boolean {
  return env.OAUTH2_ALLOW_HTTP_REDIRECTS === "true";
}

/** A loopback address as RFC 8252 §7.3 means it: an IP literal, or `localhost`. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

/** Why a redirect URL cannot be registered, or null. */
export function redirectUriProblem(value: string, env: Record<string, string | undefined> = process.env): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `"${value}" is not an absolute URL.`;
  }
  if (url.hash || value.includes("#")) return "A redirect URL has no fragment (#…).";
  if (url.username || url.password) return "A redirect URL carries no user name or password.";
  if (url.protocol === "https:") return null;
  if (url.protocol === "http:" && (isLoopbackHost(url.hostname) || httpRedirectsAllowed(env))) return null;
  if (url.protocol === "http:") return `"${value}" is plain http: use https (plain http is accepted for loopback addresses, or everywhere with OAUTH2_ALLOW_HTTP_REDIRECTS=true).`;
  return `"${value}" is not an http(s) URL.`;
}

/**
 * Whether a redirect URL a client sent matches a registered one: exactly, except the port of a
 * loopback http URL, which a native application picks when it starts (RFC 8252 §7.3).
 */
export function redirectMatches(registered: readonly string[], given: string): boolean {
  if (registered.includes(given)) return true;
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    return false;
  }
  if (url.protocol !== "http:" || !isLoopbackHost(url.hostname)) return false;
  return registered.some((candidate) => {
    const r = URL.parse(candidate);
    if (!r || r.protocol !== "http:" || r.hostname !== url.hostname) return false;
    return r.pathname === url.pathname && r.search === url.search;
  });
}

export { oauth2ClientSchema };
export type OAuth2ClientInput = z.input<typeof oauth2ClientSchema>;

/** A client as the API and the link page show it: never its secret. */
export interface OAuth2ClientView {
  clientId: string;
  redirectUris: string[];
  scopes: OAuth2Scope[];
  clientSecretSet: true;
  secretRotatedAt: string;
  createdAt: string;
}

export function clientView(row: OAuth2Client): OAuth2ClientView {
  return {
    clientId: row.clientId,
    redirectUris: JSON.parse(row.redirectUris) as string[],
    scopes: scopeList(row.scopes),
    clientSecretSet: true,
    secretRotatedAt: row.secretRotatedAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
  };
}

export async function findOAuth2Client(db: Db, linkId: string): Promise<OAuth2Client | null> {
  return db.oAuth2Client.findUnique({ where: { linkId } });
}

const newClientId = () => crypto.randomBytes(16).toString("hex");
const newClientSecret = () => crypto.randomBytes(32).toString("base64url");

/**
 * Turns OAuth 2.0 on for a link's incoming direction, or changes its redirect URLs and scopes, or
 * (null) turns it off: the client, its grants and every token end at once. Turning it on answers
 * the client secret, the only time it is ever shown; a change keeps the secret. Narrowing the
 * scopes leaves existing grants as they were consented; a token never carries a scope its client
 * no longer has (checked on every request).
 */
export async function setOAuth2Client(
  db: Db,
  actor: Actor,
  linkId: string,
  input: OAuth2ClientInput | null,
): Promise<{ client: OAuth2ClientView | null; clientSecret?: string }> {
  refuseDelegated(actor);
  const link = await findLinkOrThrow(db, linkId);
  const current = await findOAuth2Client(db, linkId);
  if (input === null) {
    if (current) {
      await db.$transaction(async (tx) => {
        await tx.oAuth2Client.delete({ where: { id: current.id } });
        await recordAudit(tx, actor, { action: "link.incoming.oauth2", targetType: "link", targetId: linkId, targetLabel: link.name, before: auditView(current), after: { oauth2: null } });
      });
    }
    return { client: null };
  }
  const parsed = oauth2ClientSchema.parse(input);
  const redirectUris = [...new Set(parsed.redirectUris)];
  const fields: Record<string, string> = {};
  redirectUris.forEach((uri, index) => {
    const problem = redirectUriProblem(uri);
    if (problem) fields[`redirectUris.${index}`] = problem;
  });
  if (Object.keys(fields).length) throw new AppError("validation_failed", Object.values(fields)[0]!, { fields });
  const data = { redirectUris: JSON.stringify(redirectUris), scopes: scopeText(parsed.scopes) };
  if (current) {
    const row = await db.$transaction(async (tx) => {
      const updated = await tx.oAuth2Client.update({ where: { id: current.id }, data });
      await recordAudit(tx, actor, { action: "link.incoming.oauth2", targetType: "link", targetId: linkId, targetLabel: link.name, before: auditView(current), after: auditView(updated) });
      return updated;
    });
    return { client: clientView(row) };
  }
  const clientSecret = newClientSecret();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.oAuth2Client.create({ data: { linkId, clientId: newClientId(), secretHash: hashToken(clientSecret), ...data } });
    await recordAudit(tx, actor, { action: "link.incoming.oauth2", targetType: "link", targetId: linkId, targetLabel: link.name, before: { oauth2: null }, after: auditView(created) });
    return created;
  });
  return { client: clientView(row), clientSecret };
}

/** A new client secret, shown once; the old one stops working at once. Grants and tokens are kept. */
export async function rotateOAuth2ClientSecret(db: Db, actor: Actor, linkId: string): Promise<{ client: OAuth2ClientView; clientSecret: string }> {
  refuseDelegated(actor);
  const link = await findLinkOrThrow(db, linkId);
  const current = await findOAuth2Client(db, linkId);
  if (!current) throw new AppError("conflict", "OAuth 2.0 is off for this link's incoming direction: turn it on first.");
  const clientSecret = newClientSecret();
  const row = await db.$transaction(async (tx) => {
    const updated = await tx.oAuth2Client.update({ where: { id: current.id }, data: { secretHash: hashToken(clientSecret), secretRotatedAt: new Date() } });
    await recordAudit(tx, actor, { action: "link.incoming.oauth2-secret", targetType: "link", targetId: linkId, targetLabel: link.name, after: { clientId: updated.clientId, secretRotatedAt: updated.secretRotatedAt.toISOString() } });
    return updated;
  });
  return { client: clientView(row), clientSecret };
}

/** Below the routes too: a linked application never makes, reveals or ends a client secret. */
function refuseDelegated(actor: Actor): void {
  if (isDelegatedVia(actor.via)) throw new AppError("forbidden", "A linked application cannot set up OAuth 2.0 clients or their secrets.");
}

function auditView(row: OAuth2Client) {
  return { oauth2: { clientId: row.clientId, redirectUris: JSON.parse(row.redirectUris) as string[], scopes: row.scopes } };
}

/** Whether a client secret is this client's, in constant time. */
export function clientSecretMatches(row: Pick<OAuth2Client, "secretHash">, secret: string): boolean {
  return sameHash(hashToken(secret), row.secretHash);
}
