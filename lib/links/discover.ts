import { XMLParser } from "fast-xml-parser";
import { KeyFormatError, parsePublicKey, publicKeyPem } from "@/lib/crypto/rsa-keys";
import { fetchRemoteText, RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { normaliseAppUrl, type LinkType } from "@/lib/links/schemas";

export interface RemoteManifest {
  id: string;
  name: string;
  typeId: string;
  type: LinkType;
  version: string | null;
  /** The base URL the remote reports for itself, when it does. */
  url: string | null;
  /** The applinks protocol version the remote speaks (`applinksVersion`), when it says. */
  applinksVersion: string | null;
}

export interface RemoteConsumer {
  key: string;
  name: string;
  publicKeyPem: string;
  description: string | null;
}

const TYPE_BY_ID: Record<string, LinkType> = {
  jira: "jira",
  confluence: "confluence",
  stash: "bitbucket",
  bitbucket: "bitbucket",
  bamboo: "bamboo",
  "applink-admin": "applink-admin",
};

const parser = new XMLParser({ ignoreAttributes: true, parseTagValue: false, trimValues: true, processEntities: true, htmlEntities: false });

function parseXml(text: string, root: string, what: string, host: string): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    doc = parser.parse(text, true) as Record<string, unknown>;
  } catch {
    throw new RemoteFetchError("http", `${host} answered with something that is not ${what} XML.`);
  }
  const node = doc[root];
  if (!node || typeof node !== "object") throw new RemoteFetchError("http", `${host} answered, but not with ${what} (no <${root}> element).`);
  return node as Record<string, unknown>;
}

const text = (v: unknown): string | null => (typeof v === "string" && v.trim() ? v.trim() : typeof v === "number" ? String(v) : null);

/** Reads a remote's applinks manifest at `<rpcUrl>/rest/applinks/1.0/manifest`. */
export async function discoverManifest(rpcUrl: string, options: { timeoutMs?: number } = {}): Promise<RemoteManifest> {
  const host = new URL(rpcUrl).host;
  const response = await fetchRemoteText(manifestUrl(rpcUrl), { timeoutMs: options.timeoutMs ?? 5000, maxBytes: MANIFEST_MAX_BYTES });
  if (response.status !== 200) throw new RemoteFetchError("http", `${host} has no applinks manifest (HTTP ${response.status}).`);
  return parseManifest(response.text, host);
}

export const manifestUrl = (rpcUrl: string) => `${rpcUrl}/rest/applinks/1.0/manifest`;
export const MANIFEST_MAX_BYTES = 256 * 1024;

/** An applinks manifest's XML, read; RemoteFetchError("http") when it is not one. */
export function parseManifest(xml: string, host: string): RemoteManifest {
  const m = parseXml(xml, "manifest", "an applinks manifest", host);
  const id = text(m.id);
  const name = text(m.name);
  if (!id || !name) throw new RemoteFetchError("http", `${host}'s manifest has no id or name.`);
  const typeId = text(m.typeId) ?? "generic";
  const reported = text(m.url);
  let url: string | null = null;
  try {
    url = reported ? normaliseAppUrl(reported) : null;
  } catch {
    url = null;
  }
  return { id: id.slice(0, 255), name: name.slice(0, 120), typeId, type: TYPE_BY_ID[typeId.toLowerCase()] ?? "generic", version: text(m.version), url, applinksVersion: text(m.applinksVersion) };
}

/** Reads a remote's OAuth consumer identity at `<rpcUrl>/plugins/servlet/oauth/consumer-info`. */
export async function fetchConsumerInfo(rpcUrl: string, options: { timeoutMs?: number } = {}): Promise<RemoteConsumer> {
  const host = new URL(rpcUrl).host;
  const response = await fetchRemoteText(`${rpcUrl}/plugins/servlet/oauth/consumer-info`, { timeoutMs: options.timeoutMs ?? 5000, maxBytes: 64 * 1024 });
  if (response.status !== 200) throw new RemoteFetchError("http", `${host} has no OAuth consumer info (HTTP ${response.status}).`);
  const c = parseXml(response.text, "consumer", "OAuth consumer info", host);
  const key = text(c.key);
  const publicKey = text(c.publicKey);
  if (!key || !publicKey) throw new RemoteFetchError("http", `${host}'s consumer info has no key or public key.`);
  try {
    return { key: key.slice(0, 255), name: (text(c.name) ?? key).slice(0, 255), publicKeyPem: publicKeyPem(parsePublicKey(publicKey)), description: text(c.description) };
  } catch (error) {
    if (error instanceof KeyFormatError) throw new RemoteFetchError("http", `${host}'s consumer public key is not usable: ${error.message}`);
    throw error;
  }
}

/** The name an application's manifest gives it, or null when none answers in time (a page's heading only). */
export async function remoteNameAt(rpcUrl: string, timeoutMs = 3000): Promise<string | null> {
  try {
    return (await discoverManifest(rpcUrl, { timeoutMs })).name;
  } catch (error) {
    if (error instanceof RemoteFetchError) return null;
    throw error;
  }
}
