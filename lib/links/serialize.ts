import crypto from "node:crypto";
import type { Link } from "@/lib/generated/prisma/client";
import { publicKeyFingerprint } from "@/lib/crypto/rsa-keys";
import { certificateState, clientCertificateInfoOf, isFixedScheme, keptSchemesOf, parseCaCertificates, schemeInfoOf } from "@/lib/outgoing/schemes";
import { outgoingOAuthUrls } from "@/lib/outgoing/three-legged";
import { oauth2Endpoints, PRESET_NAMES } from "@/lib/outgoing/oauth2-settings";
import { oauth2RedirectUrl } from "@/lib/outgoing/oauth2-authorization";
import type { SchemeInfo } from "@/lib/outgoing/schemes";
import { configuredBaseUrl } from "@/lib/http/public-url";

/** Outgoing OAuth 2.0 as the API shows it: the preset with every URL it uses, never the client secret. */
function oauth2Json(link: Link, info: SchemeInfo | null) {
  const endpoints = oauth2Endpoints(link, info ?? { preview: "" });
  return {
    preset: endpoints.preset,
    presetName: PRESET_NAMES[endpoints.preset],
    clientId: endpoints.clientId,
    scopes: endpoints.scope.split(/\s+/).filter(Boolean),
    issuer: endpoints.issuer,
    authorizationUrl: endpoints.authorizationUrl,
    tokenUrl: endpoints.tokenUrl,
    revocationUrl: endpoints.revocationUrl,
    parameters: endpoints.parameters,
    clientAuth: endpoints.clientAuth,
    cloud: endpoints.cloud,
    clientSecret: { preview: info?.preview ?? null, set: !!link.outSchemeSecretId },
  };
}

/** The outgoing scheme as the API shows it: public fields, a masked preview and certificate details, never a secret. */
function schemeJson(link: Link, base: string | null) {
  const info = schemeInfoOf(link);
  const certificate = clientCertificateInfoOf(link);
  return {
    scheme: link.outScheme,
    // The redirect URL to register at the remote (PRODUCT.md: `redirectUrl` beside the scheme).
    ...(link.outScheme === "oauth2" ? { oauth2: oauth2Json(link, info), redirectUrl: base ? oauth2RedirectUrl(base, link.id) : null } : {}),
    ...(isFixedScheme(link.outScheme)
      ? { credential: { ...(info?.username ? { username: info.username } : {}), ...(info?.header ? { header: info.header } : {}), ...(info?.issuer ? { issuer: info.issuer } : {}), ...(info?.tokenUrl ? { tokenUrl: info.tokenUrl, clientId: info.clientId, scope: info.scope ?? null } : {}), preview: info?.preview ?? null, set: !!link.outSchemeSecretId }, forUsers: link.out2loUsers }
      : {}),
    clientCertificate: certificate ? { ...certificate, state: certificateState(certificate) } : null,
    caCertificates: link.outCaCertificatesPem ? caSummary(link.outCaCertificatesPem) : null,
    minTlsVersion: link.outMinTlsVersion,
    /** A request made here, waiting for its certificate (PEM, public). */
    certificateRequest: link.outCsrPem ? { csrPem: link.outCsrPem } : null,
  };
}

function caSummary(pem: string) {
  try {
    return parseCaCertificates(pem).certificates;
  } catch {
    return [];
  }
}

/** `base`: this app's public base URL when a request is at hand (publicBaseUrl), for the redirect URL; else APP_URL. */
export function outgoingJson(link: Link, base: string | null = configuredBaseUrl()) {
  // The OAuth levels in use (none while a fixed credential is); what another scheme keeps meanwhile is under `kept`.
  const oauth = !isFixedScheme(link.outScheme);
  const keptSchemes = Object.keys(keptSchemesOf(link));
  const keptLevels = isFixedScheme(link.outScheme) && (link.out3lo || link.out2lo || link.outImpersonation);
  return {
    ...schemeJson(link, base),
    enabled: link.outEnabled,
    threeLegged: oauth && link.out3lo,
    twoLegged: oauth && link.out2lo,
    twoLeggedForUsers: link.out2loUsers,
    impersonation: oauth && link.outImpersonation,
    /** The settings of the schemes not in use, kept for a switch back: the OAuth 1.0a levels, and the fixed schemes whose credential is still sealed here. */
    kept: {
      oauth1: keptLevels ? { threeLegged: link.out3lo, twoLegged: link.out2lo, impersonation: link.outImpersonation } : null,
      schemes: keptSchemes,
    },
    ...outgoingOAuthUrls(link),
  };
}

export function incomingJson(link: Link) {
  return {
    enabled: link.inEnabled,
    consumerKey: link.inConsumerKey,
    consumerName: link.inConsumerName,
    publicKey: link.inPublicKeyPem,
    publicKeyFingerprint: link.inPublicKeyPem ? publicKeyFingerprint(crypto.createPublicKey(link.inPublicKeyPem)) : null,
    threeLegged: link.in3lo,
    twoLegged: link.in2lo,
    executeAs: link.inExecuteAs,
    impersonation: link.inImpersonation,
    /** Atlassian Connect JWTs accepted from this issuer (the shared secret never shown). */
    connectJwt: link.inJwtIssuer ? { issuer: link.inJwtIssuer, sharedSecretSet: !!link.inJwtSecretId } : null,
  };
}

/** A link as the API returns it (GET /api/v1/openapi.json): never a secret. */
export function linkJson(link: Link, base: string | null = configuredBaseUrl()) {
  return {
    id: link.id,
    name: link.name,
    type: link.type,
    rpcUrl: link.rpcUrl,
    displayUrl: link.displayUrl,
    remoteAppId: link.remoteAppId,
    primary: link.primary,
    enabled: !link.disabled,
    version: link.version,
    outgoing: outgoingJson(link, base),
    incoming: incomingJson(link),
    legacy: { trustedApps: link.trustedApps, basicAccess: link.basicAccess },
    lastProblem: link.lastProblem ? { problem: link.lastProblem, at: link.lastProblemAt } : null,
    createdAt: link.createdAt,
    updatedAt: link.updatedAt,
  };
}
export type LinkJson = ReturnType<typeof linkJson>;

/** What the audit log keeps of a link (public fields only). */
export function linkAuditView(link: Link) {
  const { id: _id, createdAt: _c, updatedAt: _u, lastProblem: _p, lastProblemAt: _a, inPublicKeyPem, outCaCertificatesPem, ...rest } = link;
  return {
    ...rest,
    inPublicKeyFingerprint: inPublicKeyPem ? publicKeyFingerprint(crypto.createPublicKey(inPublicKeyPem)) : null,
    outCaCertificates: outCaCertificatesPem ? caSummary(outCaCertificatesPem).map((c) => c.subject).join("; ") : null,
  };
}
