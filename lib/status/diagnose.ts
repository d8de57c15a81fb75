import type { Db } from "@/lib/db";
import type { UserRow } from "@/lib/db/cached-reads";
import type { Link } from "@/lib/generated/prisma/client";
import { toCaller, type Caller } from "@/lib/auth/caller";
import { log } from "@/lib/log";
import { AppError } from "@/lib/errors";
import { ensureAppIdentity } from "@/lib/identity/app-identity";
import { MANIFEST_MAX_BYTES, manifestUrl, parseManifest, type RemoteManifest } from "@/lib/links/discover";
import { dispatcherFor, explainClosedConnection, linkRelay } from "@/lib/outgoing/link-fetch";
import { certificateState, clientCertificateInfoOf, isFixedScheme, isStoredScheme, outgoingOAuthInUse, schemeInfoOf, schemeRefusal } from "@/lib/outgoing/schemes";
import * as oauth from "oauth4webapi";
import { oauth2Client } from "@/lib/outgoing/oauth2-authorization";
import { ATLASSIAN_GRANT_LIFE_MS, authorizationServer, clientAuthentication, requestOptions, type OAuth2Endpoints } from "@/lib/outgoing/oauth2-settings";
import { tokenEndpointError } from "@/lib/outgoing/oauth2-refusals";
import { fetchRemoteText, RemoteFetchError, type RemoteProblem, type RemoteText } from "@/lib/outgoing/remote-fetch";
import { accessTokenFor } from "@/lib/outgoing/three-legged";
import { timestampWindowSeconds } from "@/lib/incoming/verify-incoming";
import { deriveStatus, type Check, type CheckName, type Diagnosis, type FixAction } from "@/lib/status/derive";
import type { Levels } from "@/lib/links/levels";
import { remoteLevels, remoteLinkId, type RemoteStatusJson } from "@/lib/status/remote-view";
import { isIncomingOnly, rpcUrlOf } from "@/lib/outgoing/rpc-url";

/** What a diagnosis runs with. */
export interface DiagnoseOptions {
  /** The admin whose authorization reads the remote's side and makes the 3LO and impersonated calls. */
  admin?: UserRow | null;
  /** Per network step (default 5 s): a hanging remote costs at most a few of these. */
  timeoutMs?: number;
  /** What traffic recorded (incoming successes and refusals), from the link's status row. */
  incoming?: { okAt: Date | null; problem: string | null; problemAt: Date | null };
}

const ATLASSIAN = new Set(["jira", "confluence", "bitbucket", "bamboo"]);
/** The oldest applinks whose status REST resource (3.0) this app reads. */
const MIN_APPLINKS_MAJOR = 5;

/** A harmless endpoint that needs authentication, per remote type: the signed call asks "who am I?". */
export function whoAmIPath(type: string): string {
  switch (type) {
    case "applink-admin":
      return "/api/v1/myself";
    case "jira":
      return "/rest/api/2/myself";
    case "confluence":
      return "/rest/api/user/current";
    case "bitbucket":
    case "bamboo":
      return "/plugins/servlet/applinks/whoami";
    default:
      return "/";
  }
}

const LEVEL_NAMES = { threeLegged: "3LO", twoLegged: "2LO", impersonation: "2LO with impersonation" } as const;
const LEVEL_KEYS = ["threeLegged", "twoLegged", "impersonation"] as const;

export function ourLevels(link: Link): { outgoing: Levels; incoming: Levels } {
  const oauth = outgoingOAuthInUse(link);
  return {
    outgoing: { threeLegged: oauth && link.out3lo, twoLegged: oauth && link.out2lo, impersonation: oauth && link.outImpersonation },
    incoming: { threeLegged: link.inEnabled && link.in3lo, twoLegged: link.inEnabled && link.in2lo, impersonation: link.inEnabled && link.inImpersonation },
  };
}

const NETWORK_TYPES: Record<RemoteProblem, string> = {
  refused: "CONNECTION_REFUSED",
  unknown_host: "UNKNOWN_HOST",
  timeout: "CONNECTION_TIMEOUT",
  tls_untrusted: "SSL_UNTRUSTED",
  tls_hostname: "SSL_HOSTNAME_UNMATCHED",
  tls_version: "SSL_UNMATCHED",
  tls_client_certificate: "SSL_CLIENT_CERTIFICATE",
  too_large: "UNEXPECTED_RESPONSE",
  redirect: "UNEXPECTED_RESPONSE",
  http: "UNEXPECTED_RESPONSE",
  network: "CONNECTION_RESET",
};

const RENEW_CERTIFICATE = "Upload a renewed client certificate (Outgoing: client certificate).";

const NETWORK_FIXES: Partial<Record<RemoteProblem, string>> = {
  refused: "Start the remote application, or correct the RPC URL's port.",
  unknown_host: "Correct the RPC URL's host name (or this server's DNS).",
  timeout: "Check that the remote is up and that no firewall drops this server's connections.",
  tls_untrusted: "Give the remote a certificate from a trusted CA, or trust its CA here (NODE_EXTRA_CA_CERTS).",
  tls_hostname: "Use the host name the remote's certificate names in the RPC URL, or fix the certificate.",
  tls_version: "Enable TLS 1.2 or 1.3 on the remote (or correct the port: it may not speak TLS), or lower this link's minimum TLS version.",
  tls_client_certificate: "Upload the client certificate the remote expects (Outgoing: client certificate), from an authority it trusts and still valid.",
};

/** On another product, its fix is on its own application links page (its admin's browser). */
function productPageFix(link: Link, remote: string): FixAction {
  return { kind: "fix-on-remote", label: `Open ${remote}'s application links`, remoteUrl: link.displayUrl, remoteLinkId: null, remoteType: link.type };
}

/** An oauth_problem a remote answered to our signed call: what it means and the fix, in a person's words. */
export function outgoingProblemFinding(problem: string, remote: string, link: Link, level: string, remoteLinkId: string | null = null): Pick<Check, "status" | "type" | "message" | "fix" | "actions" | "result"> {
  // On another Applink Admin, the fix opens its page for its link to us (created if it has none),
  // with the consumer fetched again and the levels that match ours proposed.
  const ours = ourLevels(link);
  const fixOnRemote: FixAction[] =
    link.type === "applink-admin"
      ? [
          remoteLinkId
            ? { kind: "fix-on-remote", label: `Re-fetch this app's consumer on ${remote}`, remoteUrl: link.displayUrl, remoteLinkId, refetchConsumer: true }
            : { kind: "create-link-back", label: `Set up this app on ${remote}`, remoteUrl: link.displayUrl, remoteType: link.type, outgoing: ours.incoming, incoming: ours.outgoing },
        ]
      : [];
  switch (problem) {
    case "consumer_key_unknown":
      return {
        result: "fail",
        status: "CONFIG_ERROR",
        type: "OAUTH_PROBLEM",
        message: `${remote} does not know this app's consumer (${level}: consumer_key_unknown): it has no link back, or it was reset or reinstalled there.`,
        fix: `On ${remote}, set up incoming OAuth for this app again (re-fetch this app's consumer), then check again.`,
        actions: fixOnRemote,
      };
    case "signature_invalid":
      return {
        result: "fail",
        status: "CONFIG_ERROR",
        type: "OAUTH_SIGNATURE_INVALID",
        message: `${remote} refused our signature (${level}: signature_invalid): it holds another public key for this app, or sees another URL than the one we sign.`,
        fix: `On ${remote}, re-fetch this app's consumer (its public key changed here?); behind a proxy, set TRUST_PROXY or the RPC URL the remote sees.`,
        actions: fixOnRemote,
      };
    case "timestamp_refused":
      return {
        result: "fail",
        status: "CONFIG_ERROR",
        type: "OAUTH_TIMESTAMP_REFUSED",
        message: `${remote} refused our timestamp (${level}: timestamp_refused): the two clocks differ by more than it accepts.`,
        fix: "Synchronise both servers' clocks (NTP).",
      };
    case "permission_denied":
    case "user_refused": {
      // Both ways are buttons: allow it on the remote (its page, prefilled), or turn it off here,
      // which the label says drops a level the admin chose.
      const key = LEVEL_KEYS.find((k) => LEVEL_NAMES[k] === level);
      const actions: FixAction[] = [];
      if (link.type === "applink-admin") {
        actions.push(remoteLinkId ? { kind: "fix-on-remote", label: `Allow ${level} on ${remote}`, remoteUrl: link.displayUrl, remoteLinkId, outgoing: ours.incoming, incoming: ours.outgoing } : { kind: "create-link-back", label: `Set up this app on ${remote}`, remoteUrl: link.displayUrl, remoteType: link.type, outgoing: ours.incoming, incoming: ours.outgoing });
      } else {
        actions.push(productPageFix(link, remote));
      }
      if (key && problem === "permission_denied") actions.push({ kind: "match-here", label: `Turn outgoing ${level} off here (drops it for this app's callers)`, outgoing: { ...ours.outgoing, [key]: false } });
      return {
        result: "fail",
        status: "CONFIG_ERROR",
        type: "AUTH_LEVEL_MISMATCH",
        message: `${remote} refused ${level} (${problem}): it does not accept this kind of request from us, or not for this user.`,
        fix: `On ${remote}, allow ${level} from this app (incoming authentication), or turn ${level} off here.`,
        actions,
      };
    }
    case "token_rejected":
    case "token_expired":
      return {
        result: "fail",
        status: "AUTHENTICATE",
        type: "REMOTE_AUTH_TOKEN_REQUIRED",
        message: `${remote} no longer accepts your authorization (${problem}).`,
        fix: "Authorize again.",
        actions: [{ kind: "authorize", label: "Authorize again" }],
      };
    default:
      return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH_PROBLEM", message: `${remote} answered ${level} with ${problem}.`, fix: "Check the incoming authentication for this app on the remote." };
  }
}

/** Runs `step`, timing it; an unexpected error becomes a failed check, never an exception. */
async function timed(name: CheckName, step: () => Promise<Omit<Check, "name" | "ms">>): Promise<Check> {
  const started = performance.now();
  try {
    const check = await step();
    return { name, ms: Math.round(performance.now() - started), ...check };
  } catch (error) {
    const expected = error instanceof AppError || error instanceof RemoteFetchError;
    if (!expected) log.warn({ err: error, check: name }, "a link check failed unexpectedly");
    const message = expected ? error.message : "the check itself failed (see the server log)";
    return { name, ms: Math.round(performance.now() - started), result: "fail", message, status: "NETWORK_ERROR", type: "UNKNOWN" };
  }
}

const skipped = (name: CheckName, message: string): Check => ({ name, result: "skipped", ms: 0, message });

/** What every check of one diagnosis reads: the link, how to call it, and who asked. */
interface CheckContext {
  db: Db;
  link: Link;
  /** The remote's name, as messages say it. */
  remote: string;
  timeoutMs: number;
  /** The admin who asked, as a caller (their authorization reads the remote's side), or null. */
  as: Caller | null;
  ours: { outgoing: Levels; incoming: Levels };
  options: DiagnoseOptions;
}

/**
 * Diagnoses one link end to end, over the real path, one function per check in the README's order:
 * enabled, reach (DNS, TCP, TLS), the remote's identity and applinks version, its clock, its view
 * of us (its link back and auth levels, read with the admin's own authorization), the levels
 * matched across both ends, one signed call per outgoing level, what incoming traffic recorded, and
 * legacy authentication. Never throws: every failure is a check with its cause, fix and, where the
 * app can apply it, an action.
 */
export async function diagnoseLink(db: Db, link: Link, options: DiagnoseOptions = {}): Promise<Diagnosis> {
  const admin = options.admin ?? null;
  const context: CheckContext = { db, link, remote: link.name, timeoutMs: options.timeoutMs ?? 5000, as: admin ? toCaller(admin, "session") : null, ours: ourLevels(link), options };
  const checks: Check[] = [];
  const skip = (names: CheckName[], why: string) => {
    for (const name of names) checks.push(skipped(name, why));
  };

  if (link.disabled) {
    checks.push({ name: "enabled", result: "fail", ms: 0, status: "DISABLED", type: "DISABLED", message: "The link is disabled: nothing goes through it, either way.", fix: "Enable the link.", actions: [{ kind: "enable", label: "Enable the link" }] });
    skip(["reach", "identity", "clock", "remote-view", "auth-levels", "signed-call", "incoming", "legacy"], "The link is disabled.");
    return deriveStatus(checks);
  }
  checks.push({ name: "enabled", result: "pass", ms: 0, message: "The link is enabled." });

  const reached: Reached = { answer: null, answeredAt: 0 };
  if (isIncomingOnly(link)) {
    // An external application that only calls in (OAuth 2.0): this app never calls it.
    skip(["reach", "identity", "clock", "remote-view", "auth-levels", "signed-call"], `${link.name} only calls in: it has no RPC URL.`);
    checks.push(await timed("incoming", () => checkIncoming(context)));
    checks.push(checkLegacy(link));
    return deriveStatus(checks);
  }
  const reach = await timed("reach", () => checkReach(context, reached));
  checks.push(reach);
  if (reach.result === "fail") {
    skip(["identity", "clock", "remote-view", "auth-levels", "signed-call"], "The remote cannot be reached.");
  } else {
    const identified: { manifest: RemoteManifest | null } = { manifest: null };
    checks.push(await timed("identity", () => checkIdentity(context, reached.answer, identified)));
    checks.push(await timed("clock", () => checkClock(context, reached)));
    const read: { view: RemoteStatusJson | null } = { view: null };
    checks.push(await timed("remote-view", () => readRemoteView(context, identified.manifest, read)));
    checks.push(await timed("auth-levels", () => checkAuthLevels(context, read.view)));
    checks.push(await timed("signed-call", () => checkSignedCalls(context, read.view)));
  }
  checks.push(await timed("incoming", () => checkIncoming(context)));
  checks.push(checkLegacy(link));
  return deriveStatus(checks);
}

type Finding = Omit<Check, "name" | "ms">;
/** What reach got: the manifest's answer (null when none) and when it came, for the clock. */
interface Reached {
  answer: RemoteText | null;
  answeredAt: number;
}

/** 1. Reach: one GET of the manifest tells DNS, TCP, TLS and HTTP apart. */
async function checkReach({ db, link, timeoutMs }: CheckContext, found: Reached): Promise<Finding> {
  try {
    const sentAt = Date.now();
    // With the link's own TLS settings: a remote that wants our client certificate wants it here too.
    found.answer = await fetchRemoteText(manifestUrl(rpcUrlOf(link)), { timeoutMs, maxBytes: MANIFEST_MAX_BYTES, dispatcher: await dispatcherFor(db, link, timeoutMs) });
    found.answeredAt = (sentAt + Date.now()) / 2;
    const reached = `${new URL(rpcUrlOf(link)).host} answered (HTTP ${found.answer.status})`;
    const certificate = clientCertificateInfoOf(link);
    if (certificate) {
      const state = certificateState(certificate);
      const until = certificate.validTo.slice(0, 10);
      if (state === "expired") return { result: "fail", status: "NETWORK_ERROR", type: "SSL_CLIENT_CERTIFICATE", message: `${reached}, but our client certificate (${certificate.subject}) expired on ${until}.`, fix: RENEW_CERTIFICATE };
      if (state === "expires-soon") return { result: "warn", message: `${reached}; our client certificate (${certificate.subject}) expires on ${until}.`, fix: "Renew the client certificate before then and upload it (Outgoing: client certificate)." };
    }
    return { result: "pass", message: `${reached}.` };
  } catch (caught) {
    if (!(caught instanceof RemoteFetchError)) throw caught;
    const error = await explainClosedConnection(db, link, manifestUrl(rpcUrlOf(link)), caught);
    if (error.problem === "too_large" || error.problem === "redirect") return { result: "warn", message: error.message };
    const certificate = clientCertificateInfoOf(link);
    const renew = error.problem === "tls_client_certificate" && certificate && certificateState(certificate) === "expired";
    const fix = renew ? RENEW_CERTIFICATE : (NETWORK_FIXES[error.problem] ?? "Check the RPC URL and the network between the two servers.");
    return { result: "fail", status: "NETWORK_ERROR", type: NETWORK_TYPES[error.problem], message: error.message, fix };
  }
}

/**
 * 2. Identity: the manifest still names the application this link was made with. Atlassian
 * products and this app serve one; a generic OAuth peer need not.
 */
async function checkIdentity({ link, remote }: CheckContext, got: RemoteText | null, found: { manifest: RemoteManifest | null }): Promise<Finding> {
  const expectsManifest = ATLASSIAN.has(link.type) || link.type === "applink-admin";
  const noManifest = { result: "skipped" as const, message: `${remote} serves no applinks manifest: a generic OAuth peer, checked by the other steps.` };
  if (!got || got.status !== 200) {
    if (!expectsManifest) return noManifest;
    return { result: "fail", status: "INCOMPATIBLE", type: "MANIFEST_NOT_FOUND", message: `${remote} serves no applinks manifest (HTTP ${got?.status ?? "?"}): its applinks is absent or too old.`, fix: `Upgrade ${remote}'s application links, or check that the RPC URL is the application's base URL.` };
  }
  try {
    found.manifest = parseManifest(got.text, new URL(rpcUrlOf(link)).host);
  } catch (error) {
    if (!(error instanceof RemoteFetchError)) throw error;
    if (!expectsManifest) return noManifest;
    return { result: "fail", status: "INCOMPATIBLE", type: "MANIFEST_NOT_FOUND", message: error.message, fix: "Check that the RPC URL is the application's base URL." };
  }
  const m = found.manifest;
  if (link.remoteAppId && m.id !== link.remoteAppId) {
    return {
      result: "fail",
      status: "CONFIG_ERROR",
      type: "UNEXPECTED_APPLICATION_ID",
      message: `${remote} now says it is application ${m.id} ("${m.name}"), not ${link.remoteAppId}: it was reinstalled, or the URL now points at another application.`,
      fix: "If it is the same application, reinstalled: accept its new id (its consumer is fetched again). If not, correct the RPC URL or create a new link.",
      actions: [{ kind: "adopt-identity", label: "Accept the new application id", remoteAppId: m.id }],
    };
  }
  const major = Number.parseInt(m.applinksVersion ?? "", 10);
  if (Number.isFinite(major) && major < MIN_APPLINKS_MAJOR) {
    return { result: "fail", status: "INCOMPATIBLE", type: "REMOTE_VERSION_INCOMPATIBLE", message: `${remote} runs applinks ${m.applinksVersion}, older than ${MIN_APPLINKS_MAJOR}.0: its status cannot be read.`, fix: `Upgrade ${remote}.` };
  }
  if (m.url && m.url !== link.rpcUrl && m.url !== link.displayUrl) {
    return { result: "warn", message: `${remote} calls itself ${m.url}, while this link calls it at ${link.rpcUrl}: signatures can fail if it checks them against its own URL.`, actions: [{ kind: "relocate", label: `Use ${m.url}`, rpcUrl: m.url }] };
  }
  return { result: "pass", message: `${remote} is application ${m.id}${m.applinksVersion ? `, applinks ${m.applinksVersion}` : ""}.` };
}

/** 3. Clock: the remote's Date header against ours, at the middle of the exchange. */
async function checkClock({ remote }: CheckContext, { answer: got, answeredAt }: Reached): Promise<Finding> {
  const date = got?.date ? Date.parse(got.date) : Number.NaN;
  if (!Number.isFinite(date)) return { result: "skipped", message: `${remote} sent no Date header.` };
  const window = timestampWindowSeconds();
  const skew = Math.round((date - answeredAt) / 1000);
  const text = `${remote}'s clock is ${Math.abs(skew)} s ${skew >= 0 ? "ahead of" : "behind"} ours`;
  if (Math.abs(skew) > window) return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH_TIMESTAMP_REFUSED", message: `${text}: beyond the ${window} s OAuth accepts, every signed request is refused.`, fix: "Synchronise both servers' clocks (NTP)." };
  if (Math.abs(skew) > window / 2) return { result: "warn", message: `${text}: more than half the ${window} s OAuth accepts.`, fix: "Synchronise both servers' clocks (NTP)." };
  return { result: "pass", message: `${text} (OAuth accepts ${window} s).` };
}

/**
 * 4. The remote's view of us: its link back and its levels, read from its status resource.
 * Another Applink Admin answers this app itself (signed 2-legged, no user) about its link to us:
 * no one's authorization is needed, whatever levels the link runs requests with. An Atlassian
 * product answers an administrator only: the admin's 3LO token, or impersonation.
 */
async function readRemoteView({ db, link, remote, timeoutMs, as, ours }: CheckContext, manifest: RemoteManifest | null, found: { view: RemoteStatusJson | null }): Promise<Finding> {
  if (!manifest) return { result: "skipped", message: `${remote} serves no status resource (no applinks): its side is not read.` };
  if (!link.outEnabled) return { result: "skipped", message: "Outgoing OAuth is off: this app cannot read the remote's side." };
  if (isStoredScheme(link.outScheme)) return { result: "skipped", message: `This link authenticates with ${link.outScheme}, not OAuth 1.0a: the remote's view of this app is not read.` };
  // Another Applink Admin answers this app itself (signed 2-legged, no user) about its link to
  // us: no one's authorization is needed, whatever levels the link runs requests with. An
  // Atlassian product answers an administrator only: the admin's 3LO token, or impersonation.
  let reader: { as: Parameters<typeof linkRelay>[3]["as"]; level: "app" | "3lo" | "2loi"; name: string };
  if (link.type === "applink-admin") {
    reader = { as: { server: true }, level: "app", name: "reading its status" };
  } else {
    if (!as) {
      return { result: "warn", status: "AUTHENTICATE", type: "REMOTE_AUTH_TOKEN_REQUIRED", message: `An administrator must check this link once to read ${remote}'s side.`, fix: "Press Check now on the link's page." };
    }
    const token = link.out3lo ? await accessTokenFor(db, as.id, link.id) : null;
    const level = token ? "3lo" : link.outImpersonation ? "2loi" : null;
    if (!level) {
      return {
        result: "warn",
        status: "AUTHENTICATE",
        type: "REMOTE_AUTH_TOKEN_REQUIRED",
        message: `Authenticate to see status: reading ${remote}'s side needs your authorization there (3LO).`,
        fix: link.out3lo ? `Authorize this app on ${remote} as an administrator there.` : "Turn on outgoing 3LO, then authorize this app on the remote.",
        actions: link.out3lo ? [{ kind: "authorize", label: "Authorize to see status" }] : [],
      };
    }
    reader = { as, level, name: level === "3lo" ? "3LO" : "2LO with impersonation" };
  }
  const { id } = await ensureAppIdentity(db).then((i) => ({ id: i.instanceId }));
  let relayed;
  try {
    relayed = await linkRelay(db, link, { method: "GET", url: `${link.rpcUrl}/rest/applinks/3.0/status/${encodeURIComponent(id)}`, headers: new Headers({ accept: "application/json" }) }, { as: reader.as, level: reader.level, timeouts: { connectMs: timeoutMs, responseMs: timeoutMs }, retry: { delaysMs: [] } });
  } catch (error) {
    if (error instanceof AppError && error.code === "authorization_required") {
      return { result: "warn", status: "AUTHENTICATE", type: "REMOTE_AUTH_TOKEN_REQUIRED", message: `Authenticate to see status: ${error.message}`, fix: "Authorize again.", actions: [{ kind: "authorize", label: "Authorize to see status" }] };
    }
    throw error;
  }
  const text = await readSmall(relayed.body);
  const problem = relayed.headers.get("x-applink-oauth-problem");
  if (problem) return { ...outgoingProblemFinding(problem, remote, link, reader.name), problem };
  if (relayed.status === 404) {
    return {
      result: "fail",
      status: "CONFIG_ERROR",
      type: "NO_REMOTE_APPLINK",
      message: `No link back: ${remote} has no application link to this app.`,
      fix: `On ${remote}, create an application link to this app.`,
      actions: [{ kind: "create-link-back", label: "Create the link back", remoteUrl: link.displayUrl, remoteType: link.type, outgoing: ours.incoming, incoming: ours.outgoing }],
    };
  }
  if (relayed.status === 403) {
    return { result: "warn", status: "ACCESS_DENIED", type: "INSUFFICIENT_REMOTE_PERMISSION", message: `ACCESS DENIED: you are not an administrator on ${remote}, so its side of the link cannot be read.`, fix: `Ask an administrator of ${remote}, or check with an account that is one there.` };
  }
  if (relayed.status !== 200) return { result: "warn", message: `${remote}'s status resource answered HTTP ${relayed.status}; its side is not read.` };
  try {
    found.view = JSON.parse(text) as RemoteStatusJson;
    remoteLevels(found.view);
  } catch {
    found.view = null;
    return { result: "warn", message: `${remote}'s status resource answered something that is not its status; its side is not read.` };
  }
  return { result: "pass", message: `${remote} has a link back to this app${found.view.working === false ? ", which it does not see working yet" : ""}.` };
}

/** 5. The levels across both ends: a level one end uses and the other refuses breaks requests. */
async function checkAuthLevels({ link, remote, ours }: CheckContext, view: RemoteStatusJson | null): Promise<Finding> {
  if (!view) return { result: "skipped", message: "The remote's side was not read." };
  const theirs = remoteLevels(view);
  // A level one end uses and the other refuses breaks requests; one allowed but unused breaks nothing.
  const mismatches: string[] = [];
  const unused: string[] = [];
  for (const key of LEVEL_KEYS) {
    const name = LEVEL_NAMES[key];
    if (ours.outgoing[key] && !theirs.incoming[key]) mismatches.push(`outgoing ${name} is on here but ${name} is off for us on ${remote}`);
    if (theirs.outgoing[key] && !ours.incoming[key]) mismatches.push(`${remote} sends ${name} but incoming ${name} is off here`);
    if (!ours.outgoing[key] && theirs.incoming[key]) unused.push(`${remote} accepts ${name} from us, unused here`);
    if (!theirs.outgoing[key] && ours.incoming[key]) unused.push(`incoming ${name} is on here, unused by ${remote}`);
  }
  if (!mismatches.length) {
    return { result: "pass", message: `Both ends agree on every level they use${unused.length ? ` (${unused.join("; ")})` : ""}.` };
  }
  const actions: FixAction[] = [];
  const incomingNeedsUser = theirs.outgoing.twoLegged && !link.inExecuteAs;
  // Matching this side to the remote may turn off levels the admin chose here: the label says
  // which, and then the fix on the remote (which keeps them) comes first.
  const dropped = LEVEL_KEYS.flatMap((k) => [...(ours.outgoing[k] && !theirs.incoming[k] ? [`outgoing ${LEVEL_NAMES[k]}`] : []), ...(ours.incoming[k] && !theirs.outgoing[k] ? [`incoming ${LEVEL_NAMES[k]}`] : [])]);
  const onRemote: FixAction =
    link.type === "applink-admin"
      ? { kind: "fix-on-remote", label: `Fix on ${remote}${dropped.length ? " (keeps this side's levels)" : ""}`, remoteUrl: link.displayUrl, remoteLinkId: remoteLinkId(view), outgoing: ours.incoming, incoming: ours.outgoing }
      : productPageFix(link, remote);
  if (incomingNeedsUser) actions.push({ kind: "open-section", label: `Choose whom ${remote}'s 2LO runs as here`, section: "incoming" });
  if (!incomingNeedsUser) {
    actions.push({ kind: "match-here", label: dropped.length ? `Match this side to ${remote}: turns ${dropped.join(" and ")} off here` : `Match this side to ${remote}`, outgoing: theirs.incoming, incoming: theirs.outgoing });
  }
  if (dropped.length) actions.unshift(onRemote);
  else actions.push(onRemote);
  const first = mismatches[0]!;
  return {
    result: "fail",
    status: "CONFIG_ERROR",
    type: "AUTH_LEVEL_MISMATCH",
    message: `${first.charAt(0).toUpperCase()}${first.slice(1)}${mismatches.length > 1 ? ` (and ${mismatches.length - 1} more: ${mismatches.slice(1).join("; ")})` : ""}.`,
    fix: incomingNeedsUser ? `Choose the user ${remote}'s 2LO requests run as (Incoming), or change the levels on ${remote}.` : `Make both ends agree: here, or on ${remote}.`,
    actions,
  };
}

/** 6. One signed call per enabled outgoing level (or one with the link's fixed credential). */
async function checkSignedCalls({ db, link, remote, timeoutMs, as }: CheckContext, view: RemoteStatusJson | null): Promise<Finding> {
  if (!link.outEnabled) return { result: "skipped", message: "Outgoing OAuth is off: no signed call to make." };
  const path = whoAmIPath(link.type);
  if (link.outScheme === "oauth2") return checkOAuth2({ db, link, remote, timeoutMs, as });
  if (isFixedScheme(link.outScheme)) {
    // One call with the link's fixed credential; a 401 or 403 says which part to check, in a person's words.
    let relayed;
    try {
      relayed = await linkRelay(db, link, { method: "GET", url: `${link.rpcUrl}${path}`, headers: new Headers({ accept: "application/json" }) }, { as: { server: true }, level: "fixed", timeouts: { connectMs: timeoutMs, responseMs: timeoutMs }, retry: { delaysMs: [] } });
    } catch (error) {
      // OAuth 2.0: the token endpoint refused our client before the remote was even called.
      const problem = error instanceof AppError ? error.extra?.problem : undefined;
      if (typeof problem === "string" && problem.startsWith("oauth2_")) {
        const info = schemeInfoOf(link);
        return { result: "fail", status: "CONFIG_ERROR", type: "CREDENTIAL_REFUSED", message: (error as AppError).message, fix: `Check the client id${info?.clientId ? ` "${info.clientId}"` : ""} and its secret with whoever runs ${info?.tokenUrl ? new URL(info.tokenUrl).host : "the token endpoint"} (revoked, or another secret?), and enter them again under Outgoing.`, problem };
      }
      throw error;
    }
    await readSmall(relayed.body);
    if (relayed.status === 401 || relayed.status === 403) {
      const refusal = schemeRefusal(link.outScheme, relayed.status, remote, schemeInfoOf(link));
      return { result: "fail", status: relayed.status === 401 ? "CONFIG_ERROR" : "ACCESS_DENIED", type: "CREDENTIAL_REFUSED", message: refusal.message, fix: refusal.fix };
    }
    return { result: "pass", message: `${link.outScheme} accepted (HTTP ${relayed.status}) at ${path}.` };
  }
  const tries: { level: "2lo" | "2loi" | "3lo"; name: string; as: Parameters<typeof linkRelay>[3]["as"] }[] = [];
  if (link.out2lo) tries.push({ level: "2lo", name: "2LO", as: { server: true } });
  if (link.outImpersonation && as) tries.push({ level: "2loi", name: "2LO with impersonation", as });
  if (link.out3lo && as && (await accessTokenFor(db, as.id, link.id))) tries.push({ level: "3lo", name: "3LO", as });
  if (!tries.length) return { result: "skipped", message: link.out3lo ? "Only 3LO is on, and you have not authorized it: no signed call to make." : "No level to call with." };
  const passed: string[] = [];
  for (const attempt of tries) {
    let relayed;
    try {
      relayed = await linkRelay(db, link, { method: "GET", url: `${link.rpcUrl}${path}`, headers: new Headers({ accept: "application/json" }) }, { as: attempt.as, level: attempt.level, timeouts: { connectMs: timeoutMs, responseMs: timeoutMs }, retry: { delaysMs: [] } });
    } catch (error) {
      if (error instanceof AppError && error.code === "authorization_required") return { ...outgoingProblemFinding("token_rejected", remote, link, attempt.name), problem: "token_rejected" };
      throw error;
    }
    await readSmall(relayed.body);
    const problem = relayed.headers.get("x-applink-oauth-problem");
    if (problem) return { ...outgoingProblemFinding(problem, remote, link, attempt.name, remoteLinkId(view)), problem };
    if (relayed.status === 401) return { result: "fail", status: "CONFIG_ERROR", type: "AUTH_LEVEL_UNSUPPORTED", message: `${remote} refused ${attempt.name} without saying why (HTTP 401 at ${path}).`, fix: `Check that ${remote} accepts ${attempt.name} from this app.` };
    passed.push(`${attempt.name} accepted (HTTP ${relayed.status})`);
  }
  return { result: "pass", message: `${passed.join(", ")} at ${path}.` };
}

/**
 * 6, for OAuth 2.0 per person: the token endpoint answers and accepts the client (a code that cannot
 * be valid answers `invalid_grant` to a known client and `invalid_client` to another: a probe that
 * creates nothing), then the checking admin's own token works at the remote's "who am I" (Atlassian
 * Cloud: through the site's cloud id, where Jira's /rest/api/3/myself needs read:jira-user), the
 * scopes granted cover the scopes asked, and a refresh token near its end is a warning.
 */
async function checkOAuth2({ db, link, remote, timeoutMs, as }: Pick<CheckContext, "db" | "link" | "remote" | "timeoutMs" | "as">): Promise<Finding> {
  const { endpoints, clientSecret } = await oauth2Client(db, link);
  const probe = await probeOAuth2Client(endpoints, clientSecret, timeoutMs);
  if (probe.result !== "pass") return probe;
  const authorize: FixAction[] = [{ kind: "authorize", label: "Authorize" }];
  if (!as) return { result: "skipped", message: `${probe.message} Requests run as each person: run the check signed in to see whether your own authorization works.` };
  const held = await db.oAuth2RemoteToken.findUnique({ where: { userId_linkId: { userId: as.id, linkId: link.id } } });
  if (!held) return { result: "warn", status: "AUTHENTICATE", type: "REMOTE_AUTH_TOKEN_REQUIRED", message: `${probe.message} You have not authorized this app on ${remote} (OAuth 2.0): the call as you cannot be made.`, fix: "Authorize, then check again.", actions: authorize };
  const path = endpoints.cloud?.product === "jira" ? "/rest/api/3/myself" : whoAmIPath(link.type);
  // Read before the call below may refresh it: when the refresh token was last used.
  const refreshIdleDays = (Date.now() - held.refreshedAt.getTime()) / 86_400_000;
  let relayed;
  try {
    relayed = await linkRelay(db, link, { method: "GET", url: `${rpcUrlOf(link)}${path}`, headers: new Headers({ accept: "application/json" }) }, { as, level: "oauth2", timeouts: { connectMs: timeoutMs, responseMs: timeoutMs }, retry: { delaysMs: [] } });
  } catch (error) {
    if (error instanceof AppError && error.code === "authorization_required") return { result: "fail", status: "AUTHENTICATE", type: "REMOTE_AUTH_TOKEN_REQUIRED", message: `${remote} no longer accepts your OAuth 2.0 authorization: ${error.message}`, fix: "Authorize again.", actions: [{ kind: "authorize", label: "Authorize again" }] };
    throw error;
  }
  await readSmall(relayed.body);
  if (relayed.status === 403) {
    const hint = endpoints.cloud?.product === "jira" ? " (Jira Cloud's /rest/api/3/myself needs the read:jira-user scope)" : "";
    return { result: "fail", status: "ACCESS_DENIED", type: "CREDENTIAL_REFUSED", message: `${remote} accepted your token but refused ${path} (403)${hint}.`, fix: `Ask for the scopes this needs (Outgoing: scopes), then authorize again.` };
  }
  const asked = endpoints.scope.split(/\s+/).filter((scope) => scope && scope !== "offline_access" && scope !== "openid");
  const granted = new Set(held.scopes.split(/\s+/));
  const missing = asked.filter((scope) => !granted.has(scope));
  if (missing.length) return { result: "warn", status: "AUTHENTICATE", type: "OAUTH2_SCOPES_NOT_GRANTED", message: `${remote} granted ${held.scopes || "no scope"}, not ${missing.join(", ")} that this link asks for (HTTP ${relayed.status} at ${path}).`, fix: `Authorize again and accept every scope on ${remote}'s consent page, or ask for fewer scopes (Outgoing).`, actions: authorize };
  // Atlassian Cloud ends a grant a year after consent, and a refresh token unused for 90 days: a month before, say so.
  const yearEnds = held.createdAt.getTime() + ATLASSIAN_GRANT_LIFE_MS;
  if (endpoints.preset === "atlassian-cloud" && yearEnds - Date.now() < 30 * 86_400_000) {
    return { result: "warn", status: "AUTHENTICATE", type: "OAUTH2_REFRESH_ENDING", message: `Your authorization of ${remote} ends around ${new Date(yearEnds).toISOString().slice(0, 10)} (Atlassian ends refresh tokens a year after consent).`, fix: "Authorize again before then.", actions: authorize };
  }
  if (endpoints.preset === "atlassian-cloud" && refreshIdleDays > 60) {
    const ends = new Date(held.refreshedAt.getTime() + 90 * 86_400_000).toISOString().slice(0, 10);
    return { result: "warn", status: "AUTHENTICATE", type: "OAUTH2_REFRESH_ENDING", message: `Your refresh token at ${remote} was last used ${Math.floor(refreshIdleDays)} days ago: Atlassian ends one unused for 90 days (around ${ends}).`, fix: "Use the link before then (any request after the access token ends refreshes it), or authorize again afterwards.", actions: authorize };
  }
  return { result: "pass", message: `${probe.message} Your OAuth 2.0 token works (HTTP ${relayed.status} at ${path}), with ${held.scopes || "the scopes asked"}.` };
}

/** The token endpoint, asked to exchange a code that cannot exist: its `error` says whether it knows our client. */
async function probeOAuth2Client(endpoints: OAuth2Endpoints, clientSecret: string, timeoutMs: number): Promise<Finding> {
  const where = endpoints.tokenUrl ? new URL(endpoints.tokenUrl).host : "(none)";
  const as = authorizationServer(endpoints);
  let response: Response;
  try {
    const made = new URLSearchParams({ code: "applink-admin-diagnosis-probe", redirect_uri: "https://applink-admin.invalid/probe", code_verifier: "applink-admin-diagnosis-probe-verifier-0000000000000000" });
    response = await oauth.genericTokenEndpointRequest(as, { client_id: endpoints.clientId }, clientAuthentication(endpoints, clientSecret), "authorization_code", made, { ...requestOptions(endpoints.tokenUrl), signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    return { result: "fail", status: "NETWORK_ERROR", type: "CONNECTION_REFUSED", message: `The token endpoint ${where} could not be reached (${(error as Error).message}).`, fix: "Check the token endpoint's URL (Outgoing) and that this server can reach it." };
  }
  // Its refusal, read as every other token endpoint answer is (a JSON error body, or a challenge).
  const error = await oauth.processGenericTokenEndpointResponse(as, { client_id: endpoints.clientId }, response).then(
    () => null,
    (refused: unknown) => tokenEndpointError(refused)?.error ?? null,
  );
  if (error === "invalid_client" || error === "unauthorized_client") return { result: "fail", status: "CONFIG_ERROR", type: "CREDENTIAL_REFUSED", problem: `oauth2_${error}`, message: `The token endpoint ${where} does not accept the client "${endpoints.clientId}" (${error}).`, fix: `Check the client id and secret with ${where}'s administrator, and enter them again under Outgoing.`, actions: [{ kind: "open-section", label: "Open Credential and TLS", section: "credential" }] };
  if (!error) return { result: "fail", status: "CONFIG_ERROR", type: "UNEXPECTED_RESPONSE", message: `${endpoints.tokenUrl} did not answer as an OAuth 2.0 token endpoint (HTTP ${response.status}).`, fix: "Check the token endpoint's URL (Outgoing), or the preset." };
  return { result: "pass", message: `The token endpoint ${where} knows the client "${endpoints.clientId}" (a made-up code: ${error}).` };
}

/** 7. Incoming: what the remote's calls to us met. */
async function checkIncoming({ link, remote, options }: CheckContext): Promise<Finding> {
  const seen = options.incoming;
  // Incoming OAuth 2.0 (an external application) is seen whether OAuth 1.0a is on or not.
  if (!link.inEnabled && !seen?.problem?.startsWith("oauth2_")) return { result: "skipped", message: "Incoming OAuth 1.0a is off." };
  if (!seen || (!seen.okAt && !seen.problemAt)) return { result: "skipped", message: `${remote} has not called this app yet.` };
  const okText = seen.okAt ? `last accepted ${seen.okAt.toISOString()}` : "never accepted";
  if (seen.problem && seen.problemAt && (!seen.okAt || seen.problemAt > seen.okAt)) {
    return { ...incomingProblemFinding(seen.problem, remote), message: `${remote}'s last call was refused with ${seen.problem} at ${seen.problemAt.toISOString()} (${okText}). ${incomingProblemFinding(seen.problem, remote).message}`, problem: seen.problem };
  }
  return { result: "pass", message: `${remote}'s calls are accepted (${okText}).` };
}

/** 8. Legacy authentication: it works, but is deprecated. */
function checkLegacy(link: Link): Check {
  return link.trustedApps || link.basicAccess
    ? { name: "legacy", result: "warn", ms: 0, status: "UPGRADE_CONFIG", type: "LEGACY_AUTHENTICATION", message: `${[link.trustedApps ? "Trusted Applications" : "", link.basicAccess ? "Basic Access" : ""].filter(Boolean).join(" and ")} is on: deprecated authentication.`, fix: "Switch it off; OAuth replaces it.", actions: [{ kind: "disable-legacy", label: "Switch deprecated authentication off" }] }
    : { name: "legacy", result: "pass", ms: 0, message: "No deprecated authentication." };
}

/** A refusal this app gave the remote's call: what it means for the remote's admin, and ours. */
function incomingProblemFinding(problem: string, remote: string): Pick<Check, "result" | "status" | "type" | "message" | "fix" | "actions"> {
  switch (problem) {
    case "signature_invalid":
      return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH_SIGNATURE_INVALID", message: `${remote} signs with a key this app does not hold for it (its key changed?).`, fix: `Fetch ${remote}'s consumer again.`, actions: [{ kind: "refetch-consumer", label: "Re-fetch the consumer" }] };
    case "timestamp_refused":
      return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH_TIMESTAMP_REFUSED", message: "The clocks differ by more than OAuth accepts.", fix: "Synchronise both servers' clocks (NTP)." };
    case "permission_denied":
      return { result: "fail", status: "CONFIG_ERROR", type: "AUTH_LEVEL_MISMATCH", message: `${remote} uses a level that is off here.`, fix: `Turn that level on in Incoming, or off on ${remote}.`, actions: [{ kind: "open-section", label: "Open Incoming here", section: "incoming" }] };
    case "user_refused":
      return { result: "warn", message: "The user the call runs as is unknown or disabled here.", fix: "Check the execute-as user (2LO) or the user named (impersonation).", actions: [{ kind: "open-section", label: "Open Incoming here", section: "incoming" }] };
    // Incoming OAuth 2.0 (lib/incoming/oauth2/refusals.ts): the external application was refused here.
    case "oauth2_invalid_client":
      return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH2_INVALID_CLIENT", message: `${remote} authenticated with a client secret that is not this link's (rotated here, or mistyped there).`, fix: `Enter the client id and the current secret in ${remote}; rotate the secret here if it was lost.`, actions: [{ kind: "open-section", label: "Open OAuth 2.0 here", section: "oauth2" }] };
    case "oauth2_redirect_uri_mismatch":
      return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH2_REDIRECT_MISMATCH", message: `${remote} asked to send its code to a redirect URL that is not registered here.`, fix: `Add ${remote}'s redirect URL on this link (OAuth 2.0), exactly as it sends it (the log names it).`, actions: [{ kind: "open-section", label: "Open OAuth 2.0 here", section: "oauth2" }] };
    case "oauth2_invalid_scope":
      return { result: "fail", status: "CONFIG_ERROR", type: "OAUTH2_INVALID_SCOPE", message: `${remote} asked for a scope this link does not allow it.`, fix: `Tick that scope on this link, or have ${remote} ask for fewer.`, actions: [{ kind: "open-section", label: "Open OAuth 2.0 here", section: "oauth2" }] };
    case "oauth2_insufficient_scope":
      return { result: "warn", message: `A request from ${remote} needed a scope its person did not consent to (READ reads, WRITE writes, ADMIN administers).`, fix: `Have ${remote} ask for that scope, and the person authorize it again; tick it on this link first if it is not offered.` };
    case "oauth2_invalid_grant":
      return { result: "warn", message: `${remote} used a code or refresh token that was expired or already used (a reused one revokes its authorization).`, fix: "The person authorizes the application again; if it keeps happening, the application does not store its newest refresh token." };
    case "oauth2_invalid_token":
      return { result: "warn", message: `${remote} sent an access token that is expired or revoked, or whose person or link is disabled here.`, fix: `${remote} refreshes its token, or the person authorizes it again.` };
    case "oauth2_invalid_request":
      return { result: "warn", message: `${remote} sent an OAuth 2.0 request this app could not read (the log says what).`, fix: `Check how ${remote} is configured (its token URL, client authentication and PKCE).` };
    default:
      return { result: "warn", message: `This app answered ${problem}.` };
  }
}

/** Reads a small answer (at most 64 KB) and drops the rest. */
async function readSmall(body: NodeJS.ReadableStream | null): Promise<string> {
  if (!body) return "";
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 64 * 1024) {
      (body as unknown as { destroy?: () => void }).destroy?.();
      break;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}
