"use server";

import { revalidatePath } from "next/cache";
import { cookies } from "next/headers";
import { redirect } from "next/navigation";
import { z, ZodError } from "zod";
import { db } from "@/lib/db";
import type { Caller } from "@/lib/auth/caller";
import { AppError } from "@/lib/errors";
import { defineAction } from "@/lib/actions/define-action";
import { createLinkWithLevels } from "@/lib/links/create-with-levels";
import { returnAddress } from "@/lib/status/proposal";
import { deleteLink } from "@/lib/links/delete-link";
import { createLink } from "@/lib/links/create-link";
import { urlFieldWarnings } from "@/lib/links/address-warnings";
import { encodeFlash, FLASH_COOKIE, flashCookieOptions, type FlashMessage } from "@/lib/http/flash";
import { sessionSecret } from "@/lib/env/secret-file";
import { secureCookies } from "@/lib/auth/session-cookie";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { resetDirection } from "@/lib/links/reset-direction";
import { patchLink, refetchConsumer, requestClientCertificate, setIncoming, setOutgoing } from "@/lib/links/update-link";
import { revokeAllIssuedTokens } from "@/lib/incoming/issued-tokens";
import { rotateOAuth2ClientSecret, setOAuth2Client } from "@/lib/incoming/oauth2/clients";
import { revokeGrant, revokeLinkGrants } from "@/lib/incoming/oauth2/grants";
import { OAUTH2_SCOPES, type OAuth2Scope } from "@/lib/auth/oauth2-scopes";
import { applyFix, LOCAL_FIXES } from "@/lib/status/apply-fix";
import { setLevels } from "@/lib/links/levels";
import { checkFromLinkPage, checkLinkNow } from "@/lib/status/store";
import { checkedMessage } from "@/lib/status/words";
import type { LinkStatusCode } from "@/lib/links/schemas";
import { linkTypeLabel } from "@/lib/links/schemas";
import { parseHeaderLines, tryLinkRequest } from "@/lib/outgoing/try-request";
import { parseLevels } from "@/lib/status/proposal";

/** A link changed: its page and the list show it anew. */
function refreshLinkPages(id: string) {
  revalidatePath(`/links/${id}`);
  revalidatePath("/links");
}

/** Checks a link again with this admin's authorization, refreshes its pages, answers the outcome in words and in its tone. */
async function recheck(id: string, caller: Caller) {
  const { row } = await checkLinkNow(db, id, { admin: caller });
  refreshLinkPages(id);
  return checkedMessage((row?.status as LinkStatusCode | undefined) ?? "UNCHECKED", row?.cause);
}

const checkbox = z.preprocess((v) => v === "on" || v === "true", z.boolean());
const blankToUndefined = (v: unknown) => (typeof v === "string" && v.trim() === "" ? undefined : v);
const blankToNull = (v: unknown) => (typeof v === "string" && v.trim() === "" ? null : v);
const idField = z.string().min(1).max(64);
const versionField = z.coerce.number().int().min(1);
/** The fields both direction forms send. */
const directionFields = {
  id: idField,
  version: versionField,
  threeLegged: checkbox,
  twoLegged: checkbox,
  impersonation: checkbox,
  impersonationConfirmed: checkbox.optional(),
};

/** Messages for the page at `path`, shown there once after the redirect (lib/http/flash.ts). */
async function setFlash(path: string, messages: FlashMessage[]): Promise<void> {
  (await cookies()).set(FLASH_COOKIE, encodeFlash(path, messages, sessionSecret()), flashCookieOptions(secureCookies()));
}

// Create a link from its URL (manifest discovery), or manually when a name and type are given,
// with exactly the levels its form shows (prefilled from a proposal on the create-back page).
export const createLinkAction = defineAction(
  "admin",
  z.object({
    rpcUrl: z.string(),
    name: z.preprocess(blankToUndefined, z.string().optional()),
    type: z.preprocess(blankToUndefined, z.string().optional()),
    displayUrl: z.preprocess(blankToUndefined, z.string().optional()),
    fetchConsumer: checkbox.optional(),
    out3lo: checkbox.optional(),
    out2lo: checkbox.optional(),
    out2loi: checkbox.optional(),
    in3lo: checkbox.optional(),
    in2lo: checkbox.optional(),
    in2loi: checkbox.optional(),
    /** Who incoming 2LO runs as: a new service user (`inServiceUser`) or an existing one (`inExecuteAs`). */
    inRunAs: z.enum(["service", "existing"]).optional(),
    inServiceUser: z.preprocess(blankToUndefined, z.string().max(200).optional()),
    inExecuteAs: z.preprocess(blankToUndefined, z.string().max(200).optional()),
    inImpersonationConfirmed: checkbox.optional(),
    /** The proposing instance's page for its link to us: the browser goes back there once created (same origin as the link only). */
    back: z.preprocess(blankToUndefined, z.string().max(2000).optional()),
  }),
  async (input, caller) => {
    const runAsName = input.inRunAs === "existing" ? input.inExecuteAs : input.inServiceUser;
    const { link, warnings } = await createLinkWithLevels(
      db,
      caller,
      {
        rpcUrl: input.rpcUrl,
        ...(input.name || input.type ? { name: input.name, type: input.type as never } : {}),
        ...(input.displayUrl ? { displayUrl: input.displayUrl } : {}),
        fetchConsumer: input.fetchConsumer ?? false,
      },
      {
        outgoing: { threeLegged: !!input.out3lo, twoLegged: !!input.out2lo, impersonation: !!input.out2loi },
        incoming: { threeLegged: !!input.in3lo, twoLegged: !!input.in2lo, impersonation: !!input.in2loi },
        runAs: runAsName ? { kind: input.inRunAs ?? "service", username: runAsName } : undefined,
        impersonationConfirmed: !!input.inImpersonationConfirmed,
      },
    );
    // What remains (here or on the remote) is the diagnosis' fix, shown on the link's page at once.
    await checkLinkNow(db, link.id, { admin: caller });
    revalidatePath("/links");
    const created = `Created “${link.name}”${link.remoteAppId ? ` from its manifest (application ${link.remoteAppId})` : ""}. Its diagnosis is below: what remains to do, here or on ${link.name}, is its fix.`;
    await setFlash(`/links/${encodeURIComponent(link.id)}`, [{ tone: "success", text: created }, ...warnings.map((text) => ({ tone: "warning" as const, text }))]);
    // Created from another instance's proposal: back to its page for this link, which checks again
    // (redirected here: this page, rendered again, would send the admin on to the new link's page).
    const back = returnAddress(input.back, link);
    if (back) redirect(back);
    return { ok: true, message: `Created "${link.name}".`, data: { id: link.id } };
  },
);

// Make a link the primary one of its type.
export const setPrimaryAction = defineAction("admin", z.object({ id: idField, version: versionField }), async ({ id, version }, caller) => {
  const link = await patchLink(db, caller, id, { version, primary: true });
  refreshLinkPages(id);
  return { ok: true, message: `"${link.name}" is now the primary ${linkTypeLabel(link.type)} link.` };
});

// Switch a deprecated authentication type off (it can never be switched on).
export const disableLegacyAuthAction = defineAction(
  "admin",
  z.object({ id: idField, version: versionField, which: z.enum(["trustedApps", "basicAccess"]) }),
  async ({ id, version, which }, caller) => {
    await patchLink(db, caller, id, { version, [which]: false });
    revalidatePath(`/links/${id}`);
    return { ok: true, message: which === "trustedApps" ? "Trusted Applications is off." : "Basic Access is off." };
  },
);

// Save the outgoing direction (this app → remote).
export const saveOutgoingAction = defineAction(
  "admin",
  z.object({
    ...directionFields,
    twoLeggedForUsers: checkbox,
    requestTokenUrl: z.preprocess(blankToNull, z.string().nullable()),
    authorizeUrl: z.preprocess(blankToNull, z.string().nullable()),
    accessTokenUrl: z.preprocess(blankToNull, z.string().nullable()),
  }),
  async ({ id, impersonationConfirmed, ...o }, caller) => {
    assertImpersonationConfirmed((await findLinkOrThrow(db, id)).outImpersonation, o.impersonation, impersonationConfirmed);
    await setOutgoing(db, caller, id, o);
    revalidatePath(`/links/${id}`);
    return { ok: true, message: ["Outgoing saved.", ...urlFieldWarnings(o)].join(" ") };
  },
);

/** The API takes a PKCS#12 file as up to 200,000 base64 characters (lib/links/schemas.ts): 150,000 bytes. */
const PKCS12_MAX_BYTES = 150_000;

// Save how outgoing requests authenticate (a scheme and its credential) and the link's TLS: a client
// certificate (PEM, or a PKCS#12 file and its passphrase), certificate authorities, a minimum
// version. Secrets left blank are kept.
export const saveCredentialAction = defineAction(
  "admin",
  z.object({
    id: idField,
    version: versionField,
    scheme: z.string(),
    username: z.preprocess(blankToUndefined, z.string().optional()),
    password: z.preprocess(blankToUndefined, z.string().optional()),
    token: z.preprocess(blankToUndefined, z.string().optional()),
    header: z.preprocess(blankToUndefined, z.string().optional()),
    // Named so a refused form never echoes it back (lib/actions/define-action.ts).
    keySecret: z.preprocess(blankToUndefined, z.string().optional()),
    issuer: z.preprocess(blankToUndefined, z.string().optional()),
    sharedSecret: z.preprocess(blankToUndefined, z.string().optional()),
    tokenUrl: z.preprocess(blankToUndefined, z.string().optional()),
    clientId: z.preprocess(blankToUndefined, z.string().optional()),
    clientSecret: z.preprocess(blankToUndefined, z.string().optional()),
    scope: z.preprocess(blankToUndefined, z.string().optional()),
    preset: z.preprocess(blankToUndefined, z.string().optional()),
    scopes: z.preprocess(blankToUndefined, z.string().optional()),
    oauth2Issuer: z.preprocess(blankToUndefined, z.string().optional()),
    authorizationUrl: z.preprocess(blankToUndefined, z.string().optional()),
    revocationUrl: z.preprocess(blankToUndefined, z.string().optional()),
    resourcesUrl: z.preprocess(blankToUndefined, z.string().optional()),
    apiUrl: z.preprocess(blankToUndefined, z.string().optional()),
    forUsers: checkbox,
    certificatePem: z.preprocess(blankToUndefined, z.string().optional()),
    privateKeyPem: z.preprocess(blankToUndefined, z.string().optional()),
    removeCertificate: checkbox,
    caCertificatesPem: z.preprocess(blankToUndefined, z.string().optional()),
    removeCa: checkbox,
    minTlsVersion: z.string(),
    // A file input left empty still sends an empty file (named "blob" once it reaches the action).
    pkcs12File: z.preprocess(
      (v) => (v instanceof File && v.size === 0 ? undefined : v),
      z
        .instanceof(File, { message: "Choose a PKCS#12 file (.p12 or .pfx)." })
        .refine((file) => file.size <= PKCS12_MAX_BYTES, `A PKCS#12 file is at most ${PKCS12_MAX_BYTES / 1000} kB.`)
        .optional(),
    ),
    pkcs12Passphrase: z.string().max(1000).optional(),
  }),
  async (f, caller) => {
    const link = await findLinkOrThrow(db, f.id);
    if (f.pkcs12File && f.certificatePem !== undefined) {
      const message = "Give the certificate either as PEM or as a PKCS#12 file, not both.";
      throw new AppError("validation_failed", message, { fields: { pkcs12File: message } });
    }
    // A certificate alone is for the key of the request made here (the domain says so when there is none).
    if (f.privateKeyPem !== undefined && f.certificatePem === undefined && !f.removeCertificate) {
      throw new AppError("validation_failed", "Paste the certificate this key belongs to.", { fields: { certificatePem: "Paste the certificate this key belongs to." } });
    }
    const scheme = f.scheme as "oauth1" | "oauth2" | "basic" | "bearer" | "api-key" | "connect-jwt" | "oauth2-client-credentials";
    const credential =
      scheme === "oauth2"
        ? { preset: f.preset, clientId: f.clientId, clientSecret: f.clientSecret, scopes: f.scopes?.split(/\s+/).filter(Boolean), issuer: f.oauth2Issuer, authorizationUrl: f.authorizationUrl, tokenUrl: f.tokenUrl, revocationUrl: f.revocationUrl, resourcesUrl: f.resourcesUrl, apiUrl: f.apiUrl }
        : scheme === "oauth1"
        ? // The levels stay as the OAuth form set them.
          { threeLegged: link.out3lo, twoLegged: link.out2lo, twoLeggedForUsers: link.out2loUsers, impersonation: link.outImpersonation }
        : scheme === "basic"
          ? { username: f.username, password: f.password, forUsers: f.forUsers }
          : scheme === "bearer"
            ? { token: f.token, forUsers: f.forUsers }
            : scheme === "api-key"
              ? { header: f.header, value: f.keySecret, forUsers: f.forUsers }
              : scheme === "connect-jwt"
                ? { issuer: f.issuer, sharedSecret: f.sharedSecret, forUsers: f.forUsers }
                : { tokenUrl: f.tokenUrl, clientId: f.clientId, clientSecret: f.clientSecret, scope: f.scope, forUsers: f.forUsers };
    await setOutgoing(db, caller, f.id, {
      version: f.version,
      scheme,
      ...credential,
      ...(f.removeCertificate
        ? { clientCertificate: null }
        : f.pkcs12File
          ? { clientCertificate: { pkcs12Base64: Buffer.from(await f.pkcs12File.arrayBuffer()).toString("base64"), passphrase: f.pkcs12Passphrase ?? "" } }
          : f.certificatePem
            ? { clientCertificate: { certificatePem: f.certificatePem, ...(f.privateKeyPem ? { privateKeyPem: f.privateKeyPem } : {}) } }
            : {}),
      ...(f.removeCa ? { caCertificatesPem: null } : f.caCertificatesPem ? { caCertificatesPem: f.caCertificatesPem } : {}),
      minTlsVersion: f.minTlsVersion as "TLSv1.2" | "TLSv1.3",
    } as Parameters<typeof setOutgoing>[3]);
    refreshLinkPages(f.id);
    return { ok: true, message: ["Credential and TLS saved.", ...urlFieldWarnings(credential)].join(" ") };
  },
);

// A new key (kept in the vault) and a certificate signing request for the link's client certificate.
export const requestCertificateAction = defineAction(
  "admin",
  z.object({
    id: idField,
    commonName: z.string(),
    organization: z.preprocess(blankToUndefined, z.string().optional()),
    country: z.preprocess(blankToUndefined, z.string().optional()),
  }),
  async ({ id, ...subject }, caller) => {
    const { subject: text } = await requestClientCertificate(db, caller, id, subject);
    refreshLinkPages(id);
    return { ok: true, message: `Certificate request made for ${text}: send it to your certificate authority, then paste the certificate it signs.` };
  },
);

// Save the incoming direction (remote → this app); `fetchConsumer` reads the remote's consumer info.
export const saveIncomingAction = defineAction(
  "admin",
  z.object({
    ...directionFields,
    fetchConsumer: checkbox.optional(),
    consumerKey: z.preprocess(blankToNull, z.string().nullable()).optional(),
    consumerName: z.preprocess(blankToNull, z.string().nullable()).optional(),
    publicKey: z.preprocess(blankToUndefined, z.string().optional()),
    executeAs: z.preprocess(blankToNull, z.string().nullable()).optional(),
    acceptConnectJwt: checkbox.optional(),
    jwtIssuer: z.preprocess(blankToUndefined, z.string().optional()),
    jwtSharedSecret: z.preprocess(blankToUndefined, z.string().optional()),
  }),
  async ({ id, impersonationConfirmed, acceptConnectJwt, jwtIssuer, jwtSharedSecret, ...i }, caller) => {
    assertImpersonationConfirmed((await findLinkOrThrow(db, id)).inImpersonation, i.impersonation, impersonationConfirmed);
    // A blank secret keeps the stored one (setIncoming), as the API's `sharedSecret` left out does.
    const connectJwt = acceptConnectJwt ? { issuer: jwtIssuer ?? "", ...(jwtSharedSecret === undefined ? {} : { sharedSecret: jwtSharedSecret }) } : null;
    await setIncoming(db, caller, id, { ...i, connectJwt });
    revalidatePath(`/links/${id}`);
    return { ok: true, message: i.fetchConsumer ? "Fetched the remote's consumer and saved incoming." : "Incoming saved." };
  },
);

/** Turning impersonation on (not keeping it on) needs the admin's confirmation of a shared user base. */
function assertImpersonationConfirmed(wasOn: boolean, turnOn: boolean, confirmed: boolean | undefined) {
  if (!turnOn || wasOn || confirmed) return;
  const message = "Confirm that both applications share one user base before enabling impersonation.";
  throw new AppError("validation_failed", message, { fields: { impersonationConfirmed: message } });
}

// Reset OAuth for a direction (the cure for a stale consumer key), reporting what was revoked.
export const resetLinkAction = defineAction(
  "admin",
  z.object({ id: idField, direction: z.enum(["incoming", "outgoing", "both"]) }),
  async ({ id, direction }, caller) => {
    const report = await resetDirection(db, caller, id, direction);
    revalidatePath(`/links/${id}`);
    const parts: string[] = [];
    if (report.incoming) {
      parts.push(`incoming: forgot ${report.incoming.forgottenConsumerKey ?? "no consumer"}, revoked ${report.incoming.tokensRevoked} tokens, cleared ${report.incoming.noncesDeleted} nonces`);
      parts.push(report.incoming.refetched ? "fetched the remote's consumer again" : (report.incoming.refetchProblem ?? "paste the remote's consumer"));
    }
    if (report.outgoing) {
      const n = report.outgoing.accessTokensDiscarded;
      parts.push(n === 0 ? "no access token was held, so nothing to discard" : `discarded ${n} access token${n === 1 ? "" : "s"}: people authorize again`);
    }
    const what = direction === "both" ? "Incoming and outgoing OAuth" : direction === "incoming" ? "Incoming OAuth" : "Outgoing OAuth";
    return { ok: true, message: `${what} reset: ${parts.join("; ")}.` };
  },
);

// Delete a link; the admin types its name to confirm.
export const deleteLinkAction = defineAction("admin", z.object({ id: idField, confirmName: z.string() }), async ({ id, confirmName }, caller) => {
  const link = await findLinkOrThrow(db, id);
  if (confirmName.trim() !== link.name) {
    throw new AppError("validation_failed", "Type the link's name exactly to delete it.", { fields: { confirmName: `Type "${link.name}" to confirm.` } });
  }
  await deleteLink(db, caller, id);
  revalidatePath("/links");
  redirect(`/links?deleted=${encodeURIComponent(link.name)}`);
});

// Revoke every access token this app issued to the link's consumer (all people's incoming 3LO grants).
export const revokeIssuedTokensAction = defineAction("admin", z.object({ id: idField }), async ({ id }, caller) => {
  const link = await findLinkOrThrow(db, id);
  const revoked = await revokeAllIssuedTokens(db, caller, link);
  revalidatePath(`/links/${id}`);
  return { ok: true, message: `Revoked ${revoked} access token${revoked === 1 ? "" : "s"} issued to ${link.name}.` };
});

// Check a link now (the admin's own authorization reads the remote's side).
export const checkLinkAction = defineAction("admin", z.object({ id: idField }), async ({ id }, caller) => ({ ok: true, ...(await recheck(id, caller)) }));

// The link page checks on its own: when its diagnosis is stale, or when the admin comes back from the remote.
export const checkFromPageAction = defineAction("admin", z.object({ id: idField, reason: z.enum(["stale", "returned"]) }), async ({ id, reason }, caller) => {
  const ran = await checkFromLinkPage(db, id, reason, caller);
  if (ran) refreshLinkPages(id);
  return { ok: true, data: { ran } };
});

// Apply a fix the last check offered on this side, then check again.
export const applyFixAction = defineAction("admin", z.object({ id: idField, fix: z.enum(LOCAL_FIXES) }), async ({ id, fix }, caller) => {
  const applied = await applyFix(db, caller, id, fix);
  const checked = await recheck(id, caller);
  return { ok: true, message: `${applied} ${checked.message}`, tone: checked.tone };
});

// Disable or enable a link: both directions stop or resume; settings are kept.
export const setLinkEnabledAction = defineAction("admin", z.object({ id: idField, version: versionField, enabled: checkbox }), async ({ id, version, enabled }, caller) => {
  const link = await patchLink(db, caller, id, { version, enabled });
  refreshLinkPages(id);
  return { ok: true, message: enabled ? `"${link.name}" is enabled.` : `"${link.name}" is disabled: nothing goes through it until it is enabled.` };
});

// Apply what the remote's diagnostics proposed (its "Fix on the remote"), confirmed by an admin here.
export const applyProposalAction = defineAction(
  "admin",
  z.object({ id: idField, out: z.string().max(40).optional(), in: z.string().max(40).optional(), refetch: checkbox.optional() }),
  async ({ id, out, in: incoming, refetch }, caller) => {
    const done: string[] = [];
    if (refetch) {
      await refetchConsumer(db, caller, id);
      done.push("fetched the remote's consumer again");
    }
    const outgoingLevels = out ? parseLevels(out) : undefined;
    const incomingLevels = incoming ? parseLevels(incoming) : undefined;
    if (outgoingLevels || incomingLevels) {
      done.push("set the levels the remote proposed", ...(await setLevels(db, caller, id, { outgoing: outgoingLevels, incoming: incomingLevels })));
    }
    const checked = await recheck(id, caller);
    return { ok: true, message: `Applied: ${done.join(", ") || "nothing"}. ${checked.message}`, tone: checked.tone };
  },
);

// Edit a link's name, type and URLs; a new RPC URL must lead to the same application (relocation).
export const editLinkAction = defineAction(
  "admin",
  z.object({ id: idField, version: versionField, name: z.string(), type: z.string(), rpcUrl: z.string(), displayUrl: z.string() }),
  async ({ id, version, ...fields }, caller) => {
    const before = await findLinkOrThrow(db, id);
    // An incoming-only link's blank URLs stay as they are; given an RPC URL, a blank display URL is that one.
    const rpcUrl = fields.rpcUrl === "" && before.rpcUrl === null ? undefined : fields.rpcUrl;
    const displayUrl = fields.displayUrl === "" && before.displayUrl === "" ? rpcUrl : fields.displayUrl;
    const link = await patchLink(db, caller, id, { version, name: fields.name, type: fields.type as never, rpcUrl, displayUrl });
    refreshLinkPages(id);
    const relocated = link.rpcUrl !== before.rpcUrl ? ` It now calls ${link.rpcUrl}${link.remoteAppId ? `, where application ${link.remoteAppId} answered` : ""}.` : "";
    return { ok: true, message: `Saved "${link.name}".${relocated}` };
  },
);

// The request console: any method, headers and a text body through a link, signed as the caller.
export const sendLinkRequestAction = defineAction(
  "user",
  z.object({
    id: idField,
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE"]),
    path: z.string().max(4000),
    headers: z.string().max(16_000).optional(),
    body: z.string().max(1_000_000, "At most 1 MB.").optional(),
  }),
  async ({ id, method, path, headers, body }, caller) => {
    const outcome = await tryLinkRequest(db, caller, id, path, { method, headers: parseHeaderLines(headers ?? ""), body });
    return { ok: true, data: outcome };
  },
);

const scopeBoxes = Object.fromEntries(OAUTH2_SCOPES.map((scope) => [`scope-${scope}`, checkbox])) as Record<`scope-${OAuth2Scope}`, typeof checkbox>;

// Turn incoming OAuth 2.0 on for a link, or change its redirect URLs and scopes; turning it on shows the client secret once.
export const saveOAuth2ClientAction = defineAction(
  "admin",
  z.object({ id: idField, redirectUris: z.string().max(40_000), ...scopeBoxes }),
  async ({ id, redirectUris, ...boxes }, caller) => {
    const scopes = OAUTH2_SCOPES.filter((scope) => (boxes as Record<string, boolean | undefined>)[`scope-${scope}`]);
    const uris = redirectUris.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
    try {
      const { clientSecret } = await setOAuth2Client(db, caller, id, { redirectUris: uris, scopes });
      revalidatePath(`/links/${id}`);
      return { ok: true, message: clientSecret ? "OAuth 2.0 is on: copy the client secret now." : "OAuth 2.0 saved.", data: { clientSecret } };
    } catch (error) {
      // The form has one field for the list: a refusal of any URL, or of the scopes, is said there.
      if (error instanceof ZodError || error instanceof AppError) {
        const fields = error instanceof AppError ? (error.fields ?? {}) : Object.fromEntries(error.issues.map((i) => [String(i.path[0]), i.message]));
        const uriField = Object.entries(fields).find(([k]) => k.startsWith("redirectUris"))?.[1];
        const scopeField = fields.scopes;
        if (uriField || scopeField) throw new AppError("validation_failed", uriField ?? scopeField!, { fields: { ...(uriField ? { redirectUris: uriField } : {}), ...(scopeField ? { scopes: scopeField } : {}) } });
      }
      throw error;
    }
  },
);

// A new OAuth 2.0 client secret for a link, shown once; the old one stops working.
export const rotateOAuth2SecretAction = defineAction("admin", z.object({ id: idField }), async ({ id }, caller) => {
  const { clientSecret } = await rotateOAuth2ClientSecret(db, caller, id);
  revalidatePath(`/links/${id}`);
  return { ok: true, message: "New client secret: copy it now. The old one no longer works.", data: { clientSecret: clientSecret as string | undefined } };
});

// Turn incoming OAuth 2.0 off for a link: every authorization and token ends at once.
export const turnOffOAuth2Action = defineAction("admin", z.object({ id: idField }), async ({ id }, caller) => {
  await setOAuth2Client(db, caller, id, null);
  revalidatePath(`/links/${id}`);
  return { ok: true, message: "OAuth 2.0 is off: every authorization and token of this application ended." };
});

// Revoke one person's OAuth 2.0 authorization of the link's external application, or all of them.
export const revokeLinkOAuth2GrantsAction = defineAction("admin", z.object({ id: idField, grantId: z.string().max(64).optional() }), async ({ id, grantId }, caller) => {
  const revoked = grantId ? (await revokeGrant(db, caller, grantId, { linkId: id }), 1) : (await revokeLinkGrants(db, caller, id)).revoked;
  revalidatePath(`/links/${id}`);
  return { ok: true, message: `Revoked ${revoked} authorization${revoked === 1 ? "" : "s"}: their tokens no longer work.` };
});

// Create an external application that only calls in (no RPC URL), then turn OAuth 2.0 on on its page.
export const createExternalApplicationAction = defineAction("admin", z.object({ name: z.string() }), async ({ name }, caller) => {
  const { link } = await createLink(db, caller, { name, type: "generic" });
  revalidatePath("/links");
  await setFlash(`/links/${encodeURIComponent(link.id)}`, [{ tone: "success", text: `Created “${link.name}”. Turn on OAuth 2.0 below and give the application its client id and secret.` }]);
  redirect(`/links/${encodeURIComponent(link.id)}?section=oauth2#settings`);
});
