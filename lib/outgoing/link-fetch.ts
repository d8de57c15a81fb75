import { Readable } from "node:stream";
import tls from "node:tls";
import { Agent, request } from "undici";
import type { Db } from "@/lib/db";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { outgoingCredentials, type OutgoingCredentials } from "@/lib/outgoing/outgoing-credentials";
import { authorizationRequired, isServer, type AuthLevel, type LinkCaller } from "@/lib/outgoing/auth-level";
import { classifyNetworkError, type RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { probeTlsRefusal, type TlsClientOptions } from "@/lib/outgoing/tls-probe";
import { clientCertificateInfoOf } from "@/lib/outgoing/schemes";
import { parseProblemReport, signRequest } from "@/lib/oauth1";
import { recordTrafficFailure, recordTrafficProblem, recordTrafficSuccess } from "@/lib/traffic/traffic";
import { observeProxyRequest } from "@/lib/metrics";
import { dropAccessToken } from "@/lib/outgoing/three-legged";
import { dropPersonTokens } from "@/lib/outgoing/oauth2-tokens";
import { readSecret } from "@/lib/vault/vault";
import { isRelayedHeader } from "@/lib/outgoing/relayed-headers";
import { cancelled, ConcurrencyLimiter, isRetryableError, isRetryableMethod, isRetryableStatus, linkLimiter, retryDelay, retryPolicy, type RetryPolicy } from "@/lib/outgoing/resilience";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";
import { countRequest, outcomeOf } from "@/lib/history/status-history";

export interface LinkRequest {
  method: string;
  /** Absolute URL under the link's RPC URL (see proxyTarget). */
  url: string;
  headers?: Headers;
  body?: Buffer | null;
}

export interface LinkFetchOptions {
  as: LinkCaller;
  /** Demand one level instead of choosing. */
  level?: Exclude<AuthLevel, "none">;
  timeouts?: { connectMs?: number; responseMs?: number };
  /** Retries (idempotent methods; POST with retryPost) on 429, 502, 503, 504 and connection resets. */
  retry?: Partial<RetryPolicy>;
  limiter?: ConcurrencyLimiter;
  /** The caller went away: leave the link's queue, abort the exchange, skip the retries. */
  signal?: AbortSignal;
}

const HOP_BY_HOP = ["connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length"];
const NEVER_FORWARDED = new Set([...HOP_BY_HOP, "cookie", "authorization", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "forwarded", "x-real-ip"]);

function forwardable(headers: Headers | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const listed = (headers?.get("connection") ?? "").toLowerCase().split(",").map((s) => s.trim());
  headers?.forEach((value, name) => {
    const lower = name.toLowerCase();
    if (!NEVER_FORWARDED.has(lower) && !listed.includes(lower) && !lower.startsWith("proxy-") && !lower.startsWith("next-") && !lower.startsWith("x-nextjs") && lower !== "rsc") out[name] = value;
  });
  return out;
}

/**
 * Makes a request through a link, signed for the caller, and returns a standard Response. Cookies,
 * the caller's Authorization and hop-by-hop headers never reach the remote; of the remote's
 * headers only those lib/outgoing/relayed-headers.ts allows come back (never Set-Cookie, CORS or a policy). Redirects are not followed (one to another origin is an error).
 * A remote 401 carrying `oauth_problem` is returned as is and recorded on the link.
 */
export async function linkFetch(db: Db, link: Link, req: LinkRequest, options: LinkFetchOptions): Promise<Response> {
  return toWebResponse(await linkRelay(db, link, req, options));
}

/** A remote's answer on its way back to the caller: headers already filtered, the body still streaming. */
export interface RelayedResponse {
  status: number;
  headers: Headers;
  /** null for HEAD, 204 and 304. */
  body: Readable | null;
  /** The remote's Content-Length, when it sent one and the body is relayed unchanged. */
  length: number | null;
}

export function toWebResponse(relayed: RelayedResponse): Response {
  return new Response(relayed.body ? (Readable.toWeb(relayed.body) as ReadableStream) : null, { status: relayed.status, headers: relayed.headers });
}

/**
 * Requests through links this process is preparing or waiting on. Alone (one), a request signs
 * RSA-SHA1 on the main thread: nothing else waits for it, and the hop to libuv's pool and back
 * would add more latency than the signature takes; with others in flight, signatures go to the
 * pool, so they use every core while the main thread relays.
 */
let inFlight = 0;

/** `linkFetch` without the web Response around it: the proxy relays the remote's stream as it is. */
export async function linkRelay(db: Db, link: Link, req: LinkRequest, options: LinkFetchOptions): Promise<RelayedResponse> {
  inFlight++;
  try {
    return await relayThrough(db, link, req, options);
  } finally {
    inFlight--;
  }
}

async function relayThrough(db: Db, link: Link, req: LinkRequest, options: LinkFetchOptions): Promise<RelayedResponse> {
  if (link.disabled) throw linkDisabled(link);
  // Resolved once per request: a retry only signs again.
  const dispatcher = await dispatcherFor(db, link, connectTimeoutMs(options));
  const credentials = await outgoingCredentials(db, link, options.as, options.level, dispatcher);
  const response = await fetchWithRetries(db, link, req, credentials, options, dispatcher);
  // A refused access token is dropped: the person is asked to authorize again.
  const problem = response.headers.get("x-applink-oauth-problem");
  const person = isServer(options.as) ? null : options.as;
  if (credentials.level === "3lo" && person && (problem === "token_rejected" || problem === "token_expired")) {
    // The remote's answer is not relayed: stop reading it (its abort is expected, not an error).
    response.body?.once("error", () => undefined).destroy();
    await dropAccessToken(db, person.id, link.id);
    throw authorizationRequired(link, `no longer accepts your authorization (${problem}): authorize again`);
  }
  // OAuth 2.0: a 401 here came after a refresh (fetchWithRetries renews once), so even a fresh token is refused.
  if (credentials.level === "oauth2" && credentials.personId && response.status === 401) {
    response.body?.once("error", () => undefined).destroy();
    await dropPersonTokens(db, credentials.personId, link.id);
    throw authorizationRequired(link, "refused even a freshly refreshed OAuth 2.0 token (401): authorize again");
  }
  return response;
}

/** A disabled link carries nothing, either way, until an admin enables it. */
export function linkDisabled(link: Link): AppError {
  return new AppError("link_disabled", `"${link.name}" is disabled: an administrator can enable it on the link's page.`);
}

const dispatchers = new Map<number, Agent>();

/** Keep-alive connection pools to the remotes, one per connect timeout in use (usually one). */
function sharedDispatcher(connectMs: number): Agent {
  let agent = dispatchers.get(connectMs);
  if (!agent) {
    agent = new Agent({ connect: { timeout: connectMs } });
    dispatchers.set(connectMs, agent);
  }
  return agent;
}

/**
 * Links with TLS settings of their own: one pool per link and connect timeout, for the newest
 * version of the link seen (a change makes a new one and closes the old once its requests end).
 * The entry holds the pool's promise, set before the settings are read, so callers that arrive
 * together share one pool.
 */
const linkDispatchers = new Map<string, { version: number; agent: Promise<Agent> }>();
/** Beyond this many pools (deleted links leave theirs behind), the oldest are closed. */
const MAX_LINK_DISPATCHERS = 500;

/** Whether a link has TLS settings of its own: a client certificate, authorities, or a minimum version above 1.2. */
function hasOwnTls(link: Link): boolean {
  return !!link.outClientCertSecretId || !!link.outCaCertificatesPem || link.outMinTlsVersion !== "TLSv1.2";
}

/** A link's own TLS settings (client certificate, authorities, minimum version), or null for the defaults. */
async function linkTlsOptions(db: Db, link: Link): Promise<TlsClientOptions | null> {
  if (!hasOwnTls(link)) return null;
  const certificate = link.outClientCertSecretId ? (JSON.parse((await readSecret(db, link.outClientCertSecretId)).toString("utf8")) as { certificatePem: string; privateKeyPem: string }) : null;
  return {
    minVersion: link.outMinTlsVersion === "TLSv1.3" ? "TLSv1.3" : "TLSv1.2",
    ...(certificate ? { cert: certificate.certificatePem, key: certificate.privateKeyPem } : {}),
    ...(link.outCaCertificatesPem ? { ca: [...tls.rootCertificates, link.outCaCertificatesPem] } : {}),
  };
}

/**
 * The connection pool for a request through `link`: the shared one, or, when the link has a client
 * certificate, certificate authorities of its own or a minimum TLS version above 1.2, a pool whose
 * TLS presents that certificate (mutual TLS), trusts those authorities beside the system's, and
 * refuses older versions.
 */
export async function dispatcherFor(db: Db, link: Link, connectMs: number): Promise<Agent> {
  if (!hasOwnTls(link)) return sharedDispatcher(connectMs);
  const key = `${link.id}:${connectMs}`;
  const existing = linkDispatchers.get(key);
  // A caller holding an older read of the link than the pool's gets the pool of the newer settings.
  if (existing && existing.version >= link.version) return existing.agent;
  const agent = linkTlsOptions(db, link).then((options) => new Agent({ connect: { timeout: connectMs, ...options } }));
  linkDispatchers.delete(key);
  linkDispatchers.set(key, { version: link.version, agent });
  if (existing) void closeWhenDone(existing.agent);
  if (linkDispatchers.size > MAX_LINK_DISPATCHERS) {
    const [oldest, entry] = linkDispatchers.entries().next().value!;
    linkDispatchers.delete(oldest);
    void closeWhenDone(entry.agent);
  }
  try {
    return await agent;
  } catch (error) {
    // Settings that could not be read (a secret gone): the next caller tries again.
    if (linkDispatchers.get(key)?.agent === agent) linkDispatchers.delete(key);
    throw error;
  }
}

/** Closes a pool once the requests it carries have ended (undici's `close` lets them finish). */
async function closeWhenDone(agent: Promise<Agent>): Promise<void> {
  await agent.then((a) => a.close()).catch(() => undefined);
}

/**
 * A connection an https remote closed before answering is probed once more (lib/outgoing/tls-probe.ts)
 * to tell a refused client certificate, which TLS 1.3 reports only as a closed connection, from any
 * other reset.
 */
export async function explainClosedConnection(db: Db, link: Link, url: string, classified: RemoteFetchError): Promise<RemoteFetchError> {
  if (classified.problem !== "network" || !url.startsWith("https:")) return classified;
  // One probe per link and settings every 10 s: a remote failing under load is not probed once per failure.
  const key = `${link.id}@${link.version}`;
  const recent = probes.get(key);
  if (recent && Date.now() - recent.at < 10_000) return (await recent.result) ?? classified;
  const result = probeTlsRefusal(url, (await linkTlsOptions(db, link)) ?? {}, clientCertificateInfoOf(link)).catch(() => null);
  if (probes.size > 1000) probes.clear();
  probes.set(key, { at: Date.now(), result });
  return (await result) ?? classified;
}

const probes = new Map<string, { at: number; result: Promise<RemoteFetchError | null> }>();

/** What one attempt sends: signed anew (fresh nonce and timestamp) every time it is tried. */
async function prepareAttempt(req: LinkRequest, credentials: OutgoingCredentials, options: LinkFetchOptions) {
  const headers = forwardable(req.headers);
  let url = credentials.rewriteUrl ? credentials.rewriteUrl(req.url) : req.url;
  const { level, signer, token } = credentials;
  if (credentials.headersFor) Object.assign(headers, await credentials.headersFor(req.method, url));
  if (signer) {
    const signed = await signRequest(
      { method: req.method, url, contentType: req.headers?.get("content-type"), body: req.body && req.body.length ? req.body : null },
      { key: signer.consumerKey, privateKey: signer.privateKey },
      { inPlace: inFlight === 1, ...(level === "2loi" ? { requestorId: options.as.username } : level === "3lo" && token ? { token } : {}) },
    );
    url = signed.url;
    headers.authorization = signed.authorization;
  }
  return { url, headers };
}

const connectTimeoutMs = (options: LinkFetchOptions) => options.timeouts?.connectMs ?? 10_000;

/** One exchange with the remote, up to its answer's headers (the body then streams on). */
function send(req: LinkRequest, prepared: { url: string; headers: Record<string, string> }, options: LinkFetchOptions, dispatcher: Agent) {
  const responseMs = options.timeouts?.responseMs ?? 30_000;
  return request(prepared.url, {
    method: req.method as never,
    headers: prepared.headers,
    body: req.body && req.body.length ? req.body : undefined,
    dispatcher,
    signal: options.signal,
    // Time to the remote's headers, then the longest silence while its body streams (no limit on
    // the whole transfer: a large download relayed at a steady pace is not a timeout).
    headersTimeout: responseMs,
    bodyTimeout: responseMs,
  });
}

async function fetchWithRetries(db: Db, link: Link, req: LinkRequest, credentials: OutgoingCredentials, options: LinkFetchOptions, dispatcher: Agent): Promise<RelayedResponse> {
  const policy = options.retry ? retryPolicy(options.retry) : defaultPolicy;
  const retryable = isRetryableMethod(req.method, policy);
  const limiter = options.limiter ?? linkLimiter;
  // A caller holds at most its share of the link's slots, and waits for one no longer than a connection may take.
  const slot = { owner: isServer(options.as) ? "server" : options.as.id, signal: options.signal, maxWaitMs: connectTimeoutMs(options) };
  const pause = (ms: number) => untilAborted(policy.sleep(ms), options.signal);
  let renewed = false;
  for (let attempt = 0; ; attempt++) {
    const last = !retryable || attempt >= policy.delaysMs.length;
    const prepared = await prepareAttempt(req, credentials, options);
    let response;
    try {
      // Only the exchange holds one of the link's slots: not the signing, not a retry's wait.
      const sentAt = performance.now();
      response = await limiter.run(link.id, `"${link.name}"`, () => send(req, prepared, options, dispatcher), slot);
      observeProxyRequest(link.id, `${Math.floor(response.statusCode / 100)}xx`, (performance.now() - sentAt) / 1000);
    } catch (error) {
      observeProxyRequest(link.id, error instanceof AppError ? error.code : "network_error");
      if (error instanceof AppError) throw error;
      if (options.signal?.aborted) throw cancelled();
      if (!last && isRetryableError(error)) {
        await pause(retryDelay(attempt, policy));
        continue;
      }
      const responseMs = options.timeouts?.responseMs ?? 30_000;
      const classified = await explainClosedConnection(db, link, req.url, classifyNetworkError(error, req.url, responseMs));
      countRequest(link.id, "failed");
      // The link's status learns it now (a timeout: only its next check comes sooner).
      await recordTrafficFailure(db, link.id, classified);
      if (classified.problem === "timeout") throw new AppError("gateway_timeout", `NETWORK_ERROR: ${classified.message}`);
      throw new AppError("network_error", `NETWORK_ERROR: ${classified.message}`);
    }
    // A token the remote refused (revoked before it expired) is renewed and the request sent once more
    // (a 401 means the remote did not act on it, so even a POST may go again).
    if (response.statusCode === 401 && credentials.onUnauthorized && !renewed) {
      renewed = true;
      await response.body.dump().catch(() => undefined);
      await credentials.onUnauthorized();
      attempt--;
      continue;
    }
    if (!last && isRetryableStatus(response.statusCode)) {
      const retryAfter = response.headers["retry-after"];
      await response.body.dump().catch(() => undefined);
      await pause(retryDelay(attempt, policy, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter));
      continue;
    }
    return relay(db, link, req, response, prepared.url);
  }
}

/** The policy of a request that names none (PROXY_RETRY_DELAYS_MS is read once, at start). */
const defaultPolicy = retryPolicy();

/** A wait that ends early, with `cancelled`, when the caller goes away. */
function untilAborted(wait: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return wait;
  if (signal.aborted) return Promise.reject(cancelled());
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    wait.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

async function relay(db: Db, link: Link, req: LinkRequest, response: Awaited<ReturnType<typeof request>>, url: string): Promise<RelayedResponse> {
  const location = response.headers.location;
  // A Location goes back absolute (a relative one would name a path of this app) and only within the remote's origin.
  let target: URL | null = null;
  if (location) {
    try {
      target = new URL(Array.isArray(location) ? location[0]! : location, url);
    } catch {
      target = null;
    }
  }
  // (or the API gateway's the request went to: Atlassian Cloud's)
  if (target && target.origin !== new URL(rpcUrlOf(link)).origin && target.origin !== new URL(url).origin) {
    if (response.statusCode >= 300 && response.statusCode < 400) {
      await response.body.dump().catch(() => undefined);
      throw new AppError("network_error", `${link.name} redirected to another origin (${target.origin}); the redirect was not followed.`);
    }
    target = null;
  }

  const out = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (value === undefined || name.toLowerCase() === "location") continue;
    for (const v of Array.isArray(value) ? value : [value]) if (isRelayedHeader(name, v)) out.append(name, v);
  }
  if (target) out.set("location", target.href);
  const challenge = response.statusCode === 401 ? response.headers["www-authenticate"] : undefined;
  const problem = challenge ? parseProblemReport(Array.isArray(challenge) ? challenge[0]! : challenge, null) : null;
  if (problem) {
    await recordTrafficProblem(db, link, problem.problem);
    out.set("x-applink-oauth-problem", problem.problem);
  } else if (response.statusCode < 400) {
    await recordTrafficSuccess(db, link);
  }
  countRequest(link.id, outcomeOf(response.statusCode));
  const noBody = req.method === "HEAD" || response.statusCode === 204 || response.statusCode === 304;
  if (noBody) await response.body.dump().catch(() => undefined);
  const declared = Number(response.headers["content-length"]);
  const length = !noBody && Number.isSafeInteger(declared) && declared >= 0 ? declared : null;
  return { status: response.statusCode, headers: out, body: noBody ? null : response.body, length };
}
