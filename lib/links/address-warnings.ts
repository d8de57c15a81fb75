import net from "node:net";
import type { Db } from "@/lib/db";
import type { Env } from "@/lib/env/paths";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

const LINK_LOCAL = new net.BlockList();
LINK_LOCAL.addSubnet("169.254.0.0", 16, "ipv4");
LINK_LOCAL.addSubnet("fe80::", 10, "ipv6");
const UNSPECIFIED = new net.BlockList();
UNSPECIFIED.addSubnet("0.0.0.0", 8, "ipv4");
UNSPECIFIED.addAddress("::", "ipv6");
const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** The address in a URL's host, IPv4-mapped IPv6 read as IPv4; null for a name. */
function literalAddress(hostname: string): { address: string; type: "ipv4" | "ipv6" } | null {
  const host = hostname.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host);
  if (mapped) return { address: mapped[1]!, type: "ipv4" };
  const version = net.isIP(host);
  return version === 4 ? { address: host, type: "ipv4" } : version === 6 ? { address: host, type: "ipv6" } : null;
}

/** What this app knows of itself for the "is it me?" question. */
export interface SelfIdentity {
  /** The application id in this app's own manifest. */
  instanceId?: string;
  /** APP_URL / NEXTAUTH_URL, and the port it serves on. */
  env?: Env;
}

/**
 * Warnings (not refusals: admins link to internal hosts on purpose) for an RPC URL that points at
 * a link-local address (169.254.0.0/16, fe80::/10: cloud metadata services live there), at an
 * unspecified address (0.0.0.0, ::), or at this app itself (its own public URL, its own port on
 * loopback, or a manifest that carries this app's own application id). Names are not resolved:
 * the warning is about what the admin typed.
 */
export function addressWarnings(rpcUrl: string, self: SelfIdentity = {}, discoveredAppId?: string | null): string[] {
  const env = self.env ?? process.env;
  const url = new URL(rpcUrl);
  const warnings: string[] = [];
  const literal = literalAddress(url.hostname);
  if (literal && LINK_LOCAL.check(literal.address, literal.type)) {
    warnings.push(`${url.hostname} is a link-local address (cloud metadata services answer there): check that this is the application you mean to link.`);
  }
  if (literal && UNSPECIFIED.check(literal.address, literal.type)) {
    warnings.push(`${url.hostname} is an unspecified address, which reaches this machine: use the application's own host name or address.`);
  }
  const ownPort = String(Number(env.PORT) || 3000);
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  const publicUrl = env.APP_URL ?? env.NEXTAUTH_URL;
  const ownOrigin = publicUrl ? safeOrigin(publicUrl) : null;
  const onThisMachine = url.hostname === "localhost" || (literal !== null && (LOOPBACK.check(literal.address, literal.type) || UNSPECIFIED.check(literal.address, literal.type)));
  if (url.origin === ownOrigin || (onThisMachine && port === ownPort) || (discoveredAppId && discoveredAppId === self.instanceId)) {
    warnings.push("This URL points at this application itself: a link to itself signs requests to itself and proves nothing about a remote.");
  }
  return warnings;
}

function safeOrigin(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** `addressWarnings` for a link's RPC URL, with this instance's own application id. */
export async function linkAddressWarnings(db: Db, rpcUrl: string, remoteAppId: string | null): Promise<string[]> {
  return addressWarnings(rpcUrl, { instanceId: (await ensureAppIdentity(db)).instanceId }, remoteAppId);
}

/** The URL fields of a link other than its RPC URL that this server calls, as an admin reads them. */
export const SERVER_CALLED_URL_FIELDS = {
  tokenUrl: "The token URL",
  requestTokenUrl: "The request token URL",
  authorizeUrl: "The authorize URL",
  accessTokenUrl: "The access token URL",
} as const;

/**
 * The same warnings as for an RPC URL, for every other URL field the server will call (the OAuth
 * 2.0 token URL, the OAuth 1.0a endpoint URLs), each naming its field. Fields left out, blank or
 * not a URL (refused elsewhere) give none.
 */
export function urlFieldWarnings(input: object, self: SelfIdentity = {}): string[] {
  const given = input as Record<string, unknown>;
  return Object.entries(SERVER_CALLED_URL_FIELDS).flatMap(([field, name]) => {
    const url = given[field];
    if (typeof url !== "string" || !URL.canParse(url)) return [];
    return addressWarnings(url, self).map((warning) => `${name}: ${warning}`);
  });
}
