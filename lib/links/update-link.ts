import type { Db, Tx } from "@/lib/db";
import { queueNotification } from "@/lib/outbox/outbox";
import type { Link, Prisma } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import { recordAudit, type Actor } from "@/lib/audit/record";
import { KeyFormatError, parsePublicKey, publicKeyPem } from "@/lib/crypto/rsa-keys";
import { findLinkOrThrow } from "@/lib/links/find-link";
import { discoverManifest, fetchConsumerInfo } from "@/lib/links/discover";
import { RemoteFetchError } from "@/lib/outgoing/remote-fetch";
import { csrSubjectSchema, incomingSchema, outgoingSchema, patchLinkSchema, type IncomingInput, type OutgoingInput, type PatchLinkInput } from "@/lib/links/schemas";
import { linkAuditView } from "@/lib/links/serialize";
import { discoverServer, oauth2Endpoints, cloudProduct, defaultScopes, OAUTH2_PRESETS, type OAuth2Preset } from "@/lib/outgoing/oauth2-settings";
import { discardOAuth2Tokens } from "@/lib/outgoing/oauth2-tokens";
import { rpcUrlOf } from "@/lib/outgoing/rpc-url";
import { isStoredScheme, keptSchemesOf, maskedPreview, SCHEME_FIELDS, parseCaCertificates, parseClientCertificate, schemeInfoOf, type SchemeInfo } from "@/lib/outgoing/schemes";
import { deleteSecret, putSecret, readSecret, sealSecret } from "@/lib/vault/vault";
import { createClientCsr, subjectText, type CsrSubject } from "@/lib/crypto/csr";
import { pemFromPkcs12, Pkcs12Error } from "@/lib/crypto/pkcs12";
import { makePrimary, promoteNextPrimary, versionedUpdate } from "@/lib/links/versioned-update";

/** A PKCS#12 file's certificate and key as PEM, or a refusal on its field. */
async function openPkcs12(base64: string, passphrase: string): Promise<{ certificatePem: string; privateKeyPem: string }> {
  try {
    return await pemFromPkcs12(Buffer.from(base64.replace(/\s+/g, ""), "base64"), passphrase);
  } catch (error) {
    if (error instanceof Pkcs12Error) throw new AppError("validation_failed", error.message, { fields: { pkcs12Base64: error.message } });
    throw error;
  }
}

async function audited(db: Db, actor: Actor, action: string, id: string, change: (link: Link, tx: Tx) => Promise<Link>) {
  return db.$transaction(async (tx) => {
    const before = await findLinkOrThrow(tx, id);
    const after = await change(before, tx);
    await recordAudit(tx, actor, { action, targetType: "link", targetId: id, targetLabel: after.name, before: linkAuditView(before), after: linkAuditView(after) });
    return after;
  });
}

/**
 * Refuses unless the application answering at `rpcUrl` (its manifest's id) is `expectedId`:
 * `advice` ends the refusal. Used where a link would otherwise trust another application: a
 * relocation, or adopting the id a reinstalled remote now has.
 */
export async function assertApplicationAt(rpcUrl: string, expectedId: string, advice = ""): Promise<void> {
  let id: string;
  try {
    id = (await discoverManifest(rpcUrl)).id;
  } catch (error) {
    if (error instanceof RemoteFetchError) {
      throw new AppError("discovery_failed", `${rpcUrl} could not be confirmed as application ${expectedId}: ${error.message}`, { fields: { rpcUrl: error.message } });
    }
    throw error;
  }
  if (id !== expectedId) {
    const message = `${rpcUrl} is application ${id}, not ${expectedId}${advice}.`;
    throw new AppError("conflict", message, { fields: { rpcUrl: message } });
  }
}

/**
 * A new RPC URL is a relocation: the application there must be the one the link names, or the
 * link would sign requests for another application with this one's trust.
 */
async function assertSameApplication(link: Link, rpcUrl: string): Promise<void> {
  if (!link.remoteAppId || rpcUrl === link.rpcUrl) return;
  await assertApplicationAt(rpcUrl, link.remoteAppId, " (this link's): to link another application, create a new link");
}

/** Fetches the remote's consumer info into the incoming direction again, keeping its levels and execute-as user. */
export async function refetchConsumer(db: Db, actor: Actor, id: string): Promise<Link> {
  const link = await findLinkOrThrow(db, id);
  return setIncoming(db, actor, id, { fetchConsumer: true, threeLegged: link.in3lo, twoLegged: link.in2lo, impersonation: link.inImpersonation, executeAs: link.inExecuteAs });
}

/** PATCH: name, type, URLs, primary (true only), legacy auth (false only), enabled; needs the version read. */
export async function patchLink(db: Db, actor: Actor, id: string, input: PatchLinkInput): Promise<Link> {
  const p = patchLinkSchema.parse(input);
  if (p.rpcUrl) await assertSameApplication(await findLinkOrThrow(db, id), p.rpcUrl);
  return audited(db, actor, "link.update", id, async (link, tx) => {
    if (p.rpcUrl && p.rpcUrl !== link.rpcUrl && (await tx.link.count({ where: { rpcUrl: p.rpcUrl } }))) {
      throw new AppError("conflict", "Another link already uses this RPC URL.", { fields: { rpcUrl: "Another link already uses this RPC URL." } });
    }
    const typeChanged = p.type !== undefined && p.type !== link.type;
    const updated = await versionedUpdate(tx, link, p.version, {
      ...(p.name !== undefined ? { name: p.name } : {}),
      ...(p.type !== undefined ? { type: p.type } : {}),
      ...(p.rpcUrl !== undefined ? { rpcUrl: p.rpcUrl } : {}),
      ...(p.displayUrl !== undefined ? { displayUrl: p.displayUrl } : {}),
      ...(p.trustedApps === false ? { trustedApps: false } : {}),
      ...(p.basicAccess === false ? { basicAccess: false } : {}),
      ...(p.enabled !== undefined ? { disabled: !p.enabled } : {}),
      ...(typeChanged ? { primary: false } : {}),
    });
    if (typeChanged) {
      await promoteNextPrimary(tx, link.type);
      await promoteNextPrimary(tx, updated.type);
    }
    if (p.primary) await makePrimary(tx, updated.id, updated.type);
    // Disabling a link is told to the administrators (lib/notifications), with the change.
    if (p.enabled === false && !link.disabled) await queueNotification(tx, { type: "link-disabled", linkId: id, linkName: updated.name, detail: { by: actor.username } });
    return tx.link.findUniqueOrThrow({ where: { id } });
  });
}

/**
 * PUT outgoing: this app as the consumer of the remote. OAuth 1.0a with its levels, or one fixed
 * credential (lib/outgoing/schemes.ts) whose secret goes to the vault (a secret left out is kept when
 * the scheme stays the same); a client certificate, certificate authorities and a minimum TLS version
 * under either. A secret replaced or no longer used is deleted from the vault in the same transaction.
 */
export async function setOutgoing(db: Db, actor: Actor, id: string, input: OutgoingInput): Promise<Link> {
  const o = outgoingSchema.parse(input);
  const scheme = o.scheme ?? "oauth1";
  // A certificate without its key is for the key of the CSR this app made (which never left the vault).
  const pendingKey = async () => {
    const link = await findLinkOrThrow(db, id);
    if (!link.outCsrKeySecretId) throw new AppError("validation_failed", "Paste the private key too: no certificate request was made here for this link.", { fields: { privateKeyPem: "Paste the private key too (no certificate request was made here)." } });
    return (await readSecret(db, link.outCsrKeySecretId)).toString("utf8");
  };
  const given = o.clientCertificate && "pkcs12Base64" in o.clientCertificate ? await openPkcs12(o.clientCertificate.pkcs12Base64, o.clientCertificate.passphrase) : o.clientCertificate;
  const fromCsr = !!given && given.privateKeyPem === undefined;
  const certificate = given ? parseClientCertificate({ certificatePem: given.certificatePem, privateKeyPem: given.privateKeyPem ?? (await pendingKey()) }) : given;
  const ca = o.caCertificatesPem === undefined ? undefined : o.caCertificatesPem === null || !o.caCertificatesPem.trim() ? null : parseCaCertificates(o.caCertificatesPem).pem;
  // OAuth 2.0 from an issuer: its metadata (issuer checked) fills the endpoints not typed, before anything is saved.
  const discovered = scheme === "oauth2" && o.issuer ? await discoverServer(o.issuer) : null;
  // Secrets are sealed before the transaction: the key provider is never asked while it holds the database.
  const givenSecret = scheme === "oauth1" ? undefined : o[SCHEME_FIELDS[scheme].secret];
  const sealedSecret = givenSecret !== undefined ? await sealSecret(`link-outgoing-${scheme}`, givenSecret) : undefined;
  const sealedCertificate = certificate ? await sealSecret("link-client-certificate", JSON.stringify({ certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem })) : null;
  return audited(db, actor, "link.outgoing", id, async (link, tx) => {
    const data: Prisma.LinkUpdateManyMutationInput = { outScheme: scheme };
    // Each scheme keeps its settings while another is in use: the fixed one left is kept (its
    // secret stays sealed in the vault), and a scheme switched back to gets its own again.
    const kept = keptSchemesOf(link);
    if (link.outScheme !== scheme && isStoredScheme(link.outScheme)) kept[link.outScheme] = { info: link.outSchemeInfo, secretId: link.outSchemeSecretId };
    const restored = link.outScheme !== scheme ? kept[scheme] : undefined;
    delete kept[scheme];
    data.outSchemeKept = Object.keys(kept).length ? JSON.stringify(kept) : null;
    if (scheme === "oauth1") {
      // Levels not given are the ones this link had under OAuth (kept while a fixed scheme was in use).
      const threeLegged = o.threeLegged ?? link.out3lo;
      const twoLegged = o.twoLegged ?? link.out2lo;
      const impersonation = o.impersonation ?? link.outImpersonation;
      Object.assign(data, {
        outEnabled: o.enabled ?? (threeLegged || twoLegged || impersonation),
        out3lo: threeLegged,
        out2lo: twoLegged,
        out2loUsers: twoLegged && (o.twoLeggedForUsers ?? (o.twoLegged === undefined ? link.out2loUsers : false)),
        outImpersonation: impersonation,
        outSchemeInfo: null,
        outSchemeSecretId: null,
        ...(o.requestTokenUrl !== undefined ? { outRequestTokenUrl: o.requestTokenUrl } : {}),
        ...(o.authorizeUrl !== undefined ? { outAuthorizeUrl: o.authorizeUrl } : {}),
        ...(o.accessTokenUrl !== undefined ? { outAccessTokenUrl: o.accessTokenUrl } : {}),
      });
      // No secret leaves the vault here: the fixed scheme left is kept above, for a switch back.
    } else {
      const same = link.outScheme === scheme;
      const previous = same ? { info: link.outSchemeInfo, secretId: link.outSchemeSecretId } : restored;
      const current = previous ? schemeInfoOf({ outSchemeInfo: previous.info }) : null;
      const { secret: secretField, secretName } = SCHEME_FIELDS[scheme];
      const secret = o[secretField];
      const missing = (field: string, message: string) => new AppError("validation_failed", message, { fields: { [field]: message } });
      if (secret === undefined && !previous?.secretId) throw missing(secretField, `Enter the ${secretName}.`);
      const info: SchemeInfo = { preview: secret !== undefined ? maskedPreview(secret) : current?.preview ?? "••••" };
      if (scheme === "basic") info.username = o.username ?? current?.username;
      if (scheme === "basic" && !info.username) throw missing("username", "Enter the username.");
      if (scheme === "api-key") info.header = o.header ?? current?.header;
      if (scheme === "api-key" && !info.header) throw missing("header", "Enter the header the key goes in.");
      if (scheme === "connect-jwt") info.issuer = o.issuer ?? current?.issuer;
      if (scheme === "connect-jwt" && !info.issuer) throw missing("issuer", "Enter the issuer (the app key the remote knows this app by).");
      if (scheme === "oauth2-client-credentials") {
        info.tokenUrl = o.tokenUrl ?? current?.tokenUrl;
        info.clientId = o.clientId ?? current?.clientId;
        const scope = o.scope ?? current?.scope;
        if (scope) info.scope = scope;
        if (!info.tokenUrl) throw missing("tokenUrl", "Enter the token endpoint's URL.");
        if (!info.clientId) throw missing("clientId", "Enter the client id.");
      }
      if (scheme === "oauth2") {
        const preset = o.preset ?? (current?.preset as OAuth2Preset | undefined);
        if (!preset) throw missing("preset", `Choose a preset: ${OAUTH2_PRESETS.join(", ")}.`);
        if (preset === "atlassian-cloud" && !cloudProduct(link.type)) throw missing("preset", "Atlassian Cloud serves Jira and Confluence links: choose another preset for this type.");
        if (preset !== "atlassian-cloud" && preset !== "custom") rpcUrlOf(link);
        // Settings of another preset do not carry over (their URLs belong to that preset).
        const carried = current?.preset === preset ? current : null;
        const pick = <K extends keyof SchemeInfo>(key: K, given: SchemeInfo[K] | null | undefined, found?: SchemeInfo[K] | null) => {
          const value = given === null ? undefined : (given ?? found ?? carried?.[key]);
          if (value !== undefined && value !== null) info[key] = value;
        };
        info.preset = preset;
        pick("clientId", o.clientId);
        pick("issuer", o.issuer === undefined ? undefined : discovered?.issuer);
        pick("authorizationUrl", o.authorizationUrl, discovered?.authorizationUrl);
        pick("tokenUrl", o.tokenUrl, discovered?.tokenUrl);
        pick("revocationUrl", o.revocationUrl, discovered?.revocationUrl);
        pick("resourcesUrl", o.resourcesUrl);
        pick("apiUrl", o.apiUrl);
        pick("parameters", o.parameters);
        pick("clientAuth", o.clientAuth, discovered?.clientAuth);
        info.scope = o.scopes?.join(" ") ?? carried?.scope ?? defaultScopes(preset, link.type);
        if (!info.clientId) throw missing("clientId", "Enter the client id the remote gave this app.");
        if (preset === "custom" && !info.authorizationUrl) throw missing(o.issuer ? "issuer" : "authorizationUrl", "Enter the issuer URL (its metadata names the endpoints), or the authorization endpoint's URL.");
        if (preset === "custom" && !info.tokenUrl) throw missing("tokenUrl", "Enter the token endpoint's URL.");
        // People's tokens belong to one client at one authorization server: another one ends them.
        const before = current?.preset ? oauth2Endpoints(link, current) : null;
        const after = oauth2Endpoints(link, info);
        if (before && (before.clientId !== after.clientId || before.tokenUrl !== after.tokenUrl)) {
          const ended = await discardOAuth2Tokens(tx, link.id);
          if (ended) await recordAudit(tx, actor, { action: "link.authorizations-ended", targetType: "link", targetId: link.id, targetLabel: link.name, after: { scheme: "oauth2", people: ended, why: "another client or token endpoint" } });
        }
      }
      let secretId = previous?.secretId ?? null;
      if (sealedSecret) secretId = await putSecret(tx, sealedSecret);
      // The secret replaced goes; the one of a scheme just left is kept above.
      if (previous?.secretId && previous.secretId !== secretId) await deleteSecret(tx, previous.secretId);
      Object.assign(data, {
        outEnabled: o.enabled ?? true,
        // The OAuth levels stay as they were, unused while this credential is: a switch back finds them.
        out2loUsers: o.forUsers ?? (same ? link.out2loUsers : false),
        outSchemeInfo: JSON.stringify(info),
        outSchemeSecretId: secretId,
      });
    }
    if (certificate !== undefined) {
      if (link.outClientCertSecretId) await deleteSecret(tx, link.outClientCertSecretId);
      // The request is answered: its key now lives with the certificate.
      if (fromCsr && link.outCsrKeySecretId) {
        await deleteSecret(tx, link.outCsrKeySecretId);
        data.outCsrKeySecretId = null;
        data.outCsrPem = null;
      }
      data.outClientCertSecretId = sealedCertificate ? await putSecret(tx, sealedCertificate) : null;
      data.outClientCertInfo = certificate ? JSON.stringify(certificate.info) : null;
    }
    if (ca !== undefined) data.outCaCertificatesPem = ca;
    if (o.minTlsVersion) data.outMinTlsVersion = o.minTlsVersion;
    return versionedUpdate(tx, link, o.version, data);
  });
}

/** Why `username` cannot be the user a remote's requests run as (unknown, or disabled); null when it can. */
export async function executeAsProblem(db: Db | Tx, username: string): Promise<string | null> {
  const user = await db.user.findUnique({ where: { username: username.toLowerCase() }, select: { disabled: true } });
  if (!user) return `No user named "${username}".`;
  return user.disabled ? `${username} is disabled.` : null;
}

/**
 * PUT incoming: this app as the provider for the remote. The consumer comes from the request, or
 * from the remote's consumer info (`fetchConsumer`). 2LO needs an active execute-as user.
 */
export async function setIncoming(db: Db, actor: Actor, id: string, input: IncomingInput): Promise<Link> {
  const i = incomingSchema.parse(input);
  const current = await findLinkOrThrow(db, id);
  let consumer: { key: string | null; name: string | null; publicKeyPem: string | null } = {
    key: i.consumerKey === undefined ? current.inConsumerKey : i.consumerKey,
    name: i.consumerName === undefined ? current.inConsumerName : i.consumerName,
    publicKeyPem: current.inPublicKeyPem,
  };
  if (i.fetchConsumer) {
    try {
      const remote = await fetchConsumerInfo(rpcUrlOf(current));
      consumer = { key: remote.key, name: remote.name, publicKeyPem: remote.publicKeyPem };
    } catch (error) {
      if (error instanceof RemoteFetchError) throw new AppError("discovery_failed", `The consumer info could not be fetched: ${error.message} Paste it instead.`, { fields: { consumerKey: error.message } });
      throw error;
    }
  } else if (i.publicKey !== undefined) {
    try {
      consumer.publicKeyPem = i.publicKey === null || i.publicKey.trim() === "" ? null : publicKeyPem(parsePublicKey(i.publicKey));
    } catch (error) {
      if (error instanceof KeyFormatError) throw new AppError("validation_failed", error.message, { fields: { publicKey: error.message } });
      throw error;
    }
  }
  const jwt = i.connectJwt === undefined ? (current.inJwtIssuer ? { issuer: current.inJwtIssuer } : null) : i.connectJwt;
  // Impersonation alone turns incoming OAuth on only where it can work (a consumer), or where no Connect JWT needs it.
  const enabled = i.enabled ?? (i.threeLegged || i.twoLegged || (i.impersonation && (!jwt || !!consumer.key)));
  const fields: Record<string, string> = {};
  if (jwt && !i.executeAs && !i.impersonation) fields.executeAs = "Connect JWT requests run as a local user: choose one (or allow impersonation, to run as their sub).";
  if (jwt && jwt.sharedSecret === undefined && !(jwt.issuer === current.inJwtIssuer && current.inJwtSecretId)) fields.connectJwt = "Enter the shared secret the remote's tokens are signed with.";
  if (jwt && jwt.issuer !== current.inJwtIssuer && (await db.link.count({ where: { inJwtIssuer: jwt.issuer, id: { not: id } } }))) fields.connectJwt = "Another link already accepts tokens from this issuer.";
  if (enabled && (!consumer.key || !consumer.publicKeyPem)) fields.consumerKey = "Set the remote consumer (fetch it or paste its key and public key) before enabling incoming OAuth.";
  if (i.twoLegged && !i.executeAs) fields.executeAs = "2-legged requests run as a local user: choose one.";
  if (i.executeAs) {
    const problem = await executeAsProblem(db, i.executeAs);
    if (problem) fields.executeAs = problem;
  }
  if (Object.keys(fields).length) throw new AppError("validation_failed", Object.values(fields)[0]!, { fields });
  if (consumer.key && consumer.key !== current.inConsumerKey && (await db.link.count({ where: { inConsumerKey: consumer.key, id: { not: id } } }))) {
    throw new AppError("conflict", "Another link already uses this consumer key.", { fields: { consumerKey: "Another link already uses this consumer key." } });
  }
  const sealedJwtSecret = jwt?.sharedSecret !== undefined ? await sealSecret("link-incoming-connect-jwt", jwt.sharedSecret) : null;
  return audited(db, actor, "link.incoming", id, async (link, tx) => {
    let jwtSecretId = jwt ? link.inJwtSecretId : null;
    if (sealedJwtSecret) jwtSecretId = await putSecret(tx, sealedJwtSecret);
    if (link.inJwtSecretId && link.inJwtSecretId !== jwtSecretId) await deleteSecret(tx, link.inJwtSecretId);
    return versionedUpdate(tx, link, i.version, {
      inJwtIssuer: jwt ? jwt.issuer : null,
      inJwtSecretId: jwtSecretId,
      inEnabled: enabled,
      inConsumerKey: consumer.key,
      inConsumerName: consumer.name ?? consumer.key,
      inPublicKeyPem: consumer.publicKeyPem,
      in3lo: i.threeLegged,
      in2lo: i.twoLegged,
      inExecuteAs: i.executeAs ? i.executeAs.toLowerCase() : null,
      inImpersonation: i.impersonation,
    });
  });
}

/**
 * Makes a new key pair for the link's client certificate and a certificate signing request for
 * `subject` (seed 002: the customer's domain); the key goes to the vault and never leaves it, the
 * CSR is kept on the link for the admin to send to their authority. Pasting the signed certificate
 * back (PUT outgoing `clientCertificate: {certificatePem}`) pairs it with that key. A new request
 * replaces an unanswered one.
 */
export async function requestClientCertificate(db: Db, actor: Actor, id: string, input: CsrSubject): Promise<{ link: Link; csrPem: string; subject: string }> {
  const subject = csrSubjectSchema.parse(input);
  const { csrPem, privateKeyPem } = createClientCsr(subject);
  const sealedKey = await sealSecret("link-client-certificate-request", privateKeyPem);
  const link = await audited(db, actor, "link.client-certificate-request", id, async (current, tx) => {
    if (current.outCsrKeySecretId) await deleteSecret(tx, current.outCsrKeySecretId);
    const keyId = await putSecret(tx, sealedKey);
    return versionedUpdate(tx, current, undefined, { outCsrPem: csrPem, outCsrKeySecretId: keyId });
  });
  return { link, csrPem, subject: subjectText(subject) };
}
