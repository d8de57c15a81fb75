"use client";

import { useActionState, useState } from "react";
import { SelectField, TextAreaField, TextField } from "@/components/ui/field";
import { FormMessage } from "@/components/ui/form-message";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionResult } from "@/lib/actions/define-action";
import { levelsText } from "@/lib/status/proposal";

type Action = (s: ActionResult | null, f: FormData) => Promise<ActionResult>;

export interface CredentialView {
  scheme: string;
  credential?: { username?: string; header?: string; issuer?: string; tokenUrl?: string; clientId?: string; scope?: string | null; preview: string | null; set: boolean };
  forUsers?: boolean;
  clientCertificate: { subject: string; issuer: string; validTo: string; fingerprint256: string; state: "valid" | "expires-soon" | "expired" } | null;
  caCertificates: { subject: string; validTo: string }[] | null;
  minTlsVersion: string;
  certificateRequest: { csrPem: string } | null;
  /** What the schemes not in use keep for a switch back. */
  kept?: { oauth1: { threeLegged: boolean; twoLegged: boolean; impersonation: boolean } | null; schemes: string[] };
  /** OAuth 2.0 per person: the preset and every URL it uses (lib/links/serialize.ts). */
  oauth2?: {
    preset: string;
    clientId: string;
    scopes: string[];
    issuer: string | null;
    authorizationUrl: string;
    tokenUrl: string;
    revocationUrl: string | null;
    cloud: { resourcesUrl: string; apiUrl: string } | null;
    clientSecret: { preview: string | null; set: boolean };
  };
}

const PRESETS: Record<string, string> = {
  "atlassian-cloud": "Atlassian Cloud (auth.atlassian.com; Jira and Confluence)",
  "jira-dc": "Jira Data Center 9+ (/rest/oauth2/latest)",
  "confluence-dc": "Confluence Data Center 9+ (/rest/oauth2/latest)",
  "bitbucket-dc": "Bitbucket Data Center (/rest/oauth2/latest)",
  "applink-admin": "Another instance of this app (its incoming OAuth 2.0)",
  custom: "Any OAuth 2.0 server (from its issuer's metadata, or by hand)",
};

const SCHEME_LABEL: Record<string, string> = {
  oauth1: "OAuth 1.0a (the levels above)",
  oauth2: "OAuth 2.0: each person authorizes this app at the remote",
  basic: "Basic: a username and a password or API token",
  bearer: "Personal access token (Bearer)",
  "api-key": "API key in a header (a gateway's)",
  "connect-jwt": "Atlassian Connect JWT (an app key and shared secret)",
  "oauth2-client-credentials": "OAuth 2.0 client credentials (a token endpoint)",
};

/** The OAuth 2.0 preset a link most likely needs: Atlassian Cloud for an atlassian.net site, else by its type. */
function likelyPreset(link: { type: string; rpcUrl: string | null }): string {
  if (link.rpcUrl && URL.canParse(link.rpcUrl) && new URL(link.rpcUrl).hostname.endsWith(".atlassian.net")) return "atlassian-cloud";
  return { jira: "jira-dc", confluence: "confluence-dc", bitbucket: "bitbucket-dc", "applink-admin": "applink-admin" }[link.type] ?? "custom";
}

/**
 * How this app authenticates to the remote, and the link's TLS: OAuth 1.0a (set above) or one fixed
 * credential, a client certificate under either, certificate authorities and a minimum TLS version.
 * Secrets are write-only: the form shows a masked preview and certificate details, and a secret field
 * left blank keeps what is stored.
 */
export function CredentialForm({ action, link, redirectUrl }: { action: Action; link: { id: string; version: number; type: string; rpcUrl: string | null; outgoing: CredentialView }; redirectUrl: string }) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? state.fields : undefined;
  const values = state && !state.ok ? state.values : undefined;
  const out = link.outgoing;
  const [scheme, setScheme] = useState(values?.scheme ?? out.scheme);
  const same = scheme === out.scheme;
  const kept = !same && !!out.kept?.schemes.includes(scheme);
  const [preset, setPreset] = useState(values?.preset ?? out.oauth2?.preset ?? likelyPreset(link));
  const samePreset = same && preset === out.oauth2?.preset;
  const keep = (what: string) =>
    same && scheme === "oauth2" && out.oauth2?.clientSecret.set
      ? `Leave blank to keep the stored ${what} (${out.oauth2.clientSecret.preview ?? "set"}).`
      : same && out.credential?.set ? `Leave blank to keep the stored ${what} (${out.credential.preview ?? "set"}).` : kept ? `Leave blank to use the ${what} kept from when this scheme was in use (sealed here).` : undefined;
  const keptLevels = out.kept?.oauth1;
  // Switching never drops the settings left: they wait, sealed, for a switch back.
  const leaving = SCHEME_LABEL[out.scheme]?.split(":")[0] ?? out.scheme;
  const switchNote = same
    ? null
    : scheme === "oauth1"
      ? `Saving switches to OAuth 1.0a${keptLevels ? ` with the levels kept (${levelsText(keptLevels)})` : ""}; the ${leaving} credential is kept for a switch back.`
      : `Saving switches to ${scheme === "oauth2" ? "OAuth 2.0: each person then authorizes this app once" : "this credential"}; ${out.scheme === "oauth1" ? "the OAuth 1.0a levels are kept" : `the ${leaving} credential is kept`}, unused, for a switch back.`;
  const certificate = out.clientCertificate;
  return (
    <form action={formAction} className="flex flex-col gap-4" aria-label="Credential and TLS" key={values ? JSON.stringify(values) : `saved-${JSON.stringify(out)}`}>
      <input type="hidden" name="id" value={link.id} />
      <input type="hidden" name="version" value={link.version} />
      <SelectField id="scheme" label="Authentication" value={scheme} onChange={(e) => setScheme(e.currentTarget.value)} error={fields?.scheme}>
        {Object.entries(SCHEME_LABEL).map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </SelectField>
      {switchNote ? (
        <p className="text-sm text-muted" data-testid="scheme-switch-note">
          {switchNote}
        </p>
      ) : null}
      {scheme === "basic" ? (
        <>
          <TextField id="username" label="Username" autoComplete="off" defaultValue={values?.username ?? (same ? out.credential?.username : "") ?? ""} error={fields?.username} />
          <TextField id="password" label="Password or API token" type="password" autoComplete="new-password" error={fields?.password} hint={keep("password")} />
        </>
      ) : null}
      {scheme === "bearer" ? <TextField id="token" label="Personal access token" type="password" autoComplete="off" error={fields?.token} hint={keep("token")} /> : null}
      {scheme === "api-key" ? (
        <>
          <TextField id="header" label="Header" placeholder="X-API-Key" defaultValue={values?.header ?? (same ? out.credential?.header : "") ?? ""} error={fields?.header} />
          <TextField id="keySecret" label="Key" type="password" autoComplete="off" error={fields?.value ?? fields?.keySecret} hint={keep("key")} />
        </>
      ) : null}
      {scheme === "connect-jwt" ? (
        <>
          <TextField id="issuer" label="Issuer (app key)" defaultValue={values?.issuer ?? (same ? out.credential?.issuer : "") ?? ""} error={fields?.issuer} />
          <TextField id="sharedSecret" label="Shared secret" type="password" autoComplete="off" error={fields?.sharedSecret} hint={keep("shared secret")} />
        </>
      ) : null}
      {scheme === "oauth2-client-credentials" ? (
        <>
          <TextField id="tokenUrl" label="Token endpoint URL" type="url" defaultValue={values?.tokenUrl ?? (same ? out.credential?.tokenUrl : "") ?? ""} error={fields?.tokenUrl} />
          <TextField id="clientId" label="Client id" defaultValue={values?.clientId ?? (same ? out.credential?.clientId : "") ?? ""} error={fields?.clientId} />
          <TextField id="clientSecret" label="Client secret" type="password" autoComplete="off" error={fields?.clientSecret} hint={keep("client secret")} />
          <TextField id="scope" label="Scope (optional)" defaultValue={values?.scope ?? (same ? (out.credential?.scope ?? "") : "")} error={fields?.scope} />
        </>
      ) : null}
      {scheme === "oauth2" ? (
        <>
          <div className="flex flex-col gap-1">
            <label htmlFor="redirect-url" className="text-sm font-medium">
              Redirect URL to register at the remote
            </label>
            <input id="redirect-url" readOnly value={redirectUrl} className="w-full rounded-md border border-border bg-surface-2 px-3 py-2 font-mono text-xs" aria-describedby="redirect-url-hint" />
            <p id="redirect-url-hint" className="text-xs text-muted">
              Register this as the application&apos;s redirect (callback) URL at the remote, then enter the client id and secret it gives you.
            </p>
          </div>
          <SelectField id="preset" label="Authorization server" value={preset} onChange={(e) => setPreset(e.currentTarget.value)} error={fields?.preset}>
            {Object.entries(PRESETS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </SelectField>
          <TextField id="clientId" label="Client id" autoComplete="off" defaultValue={values?.clientId ?? (same ? out.oauth2?.clientId : "") ?? ""} error={fields?.clientId} hint={same && out.oauth2?.clientId ? "Another client id or token endpoint ends every person's authorization of the old one: each then authorizes again. A new secret alone keeps them." : undefined} />
          <TextField id="clientSecret" label="Client secret" type="password" autoComplete="off" error={fields?.clientSecret} hint={keep("client secret")} />
          <TextField id="scopes" label="Scopes" defaultValue={values?.scopes ?? (samePreset ? out.oauth2?.scopes.join(" ") : "") ?? ""} error={fields?.scopes} hint="Space-separated. Blank: the preset's (Atlassian Cloud: read:jira-user read:jira-work offline_access; Jira and Confluence Data Center: READ; Bitbucket: REPO_READ)." />
          {preset === "custom" ? (
            <TextField id="oauth2Issuer" label="Issuer URL" type="url" defaultValue={values?.oauth2Issuer ?? (samePreset ? out.oauth2?.issuer : "") ?? ""} error={fields?.issuer} hint="Its metadata (RFC 8414 or OpenID) names the endpoints; metadata naming another issuer is refused." />
          ) : null}
          <details className="rounded-md border border-border p-3 text-sm" open={preset === "custom" || !!fields?.authorizationUrl || !!fields?.tokenUrl}>
            <summary className="cursor-pointer font-medium">{preset === "custom" ? "Endpoints (blank: from the issuer's metadata)" : "Override the preset's URLs"}</summary>
            <div className="mt-3 flex flex-col gap-3">
              <TextField id="authorizationUrl" label="Authorization endpoint" type="url" placeholder={samePreset ? out.oauth2?.authorizationUrl : undefined} defaultValue={values?.authorizationUrl ?? (samePreset && preset === "custom" ? out.oauth2?.authorizationUrl : "") ?? ""} error={fields?.authorizationUrl} />
              <TextField id="tokenUrl" label="Token endpoint" type="url" placeholder={samePreset ? out.oauth2?.tokenUrl : undefined} defaultValue={values?.tokenUrl ?? (samePreset && preset === "custom" ? out.oauth2?.tokenUrl : "") ?? ""} error={fields?.tokenUrl} />
              <TextField id="revocationUrl" label="Revocation endpoint (optional)" type="url" placeholder={samePreset ? (out.oauth2?.revocationUrl ?? undefined) : undefined} defaultValue={values?.revocationUrl ?? (samePreset && preset === "custom" ? out.oauth2?.revocationUrl : "") ?? ""} error={fields?.revocationUrl} />
              {preset === "atlassian-cloud" ? (
                <>
                  <TextField id="resourcesUrl" label="Accessible resources URL" type="url" placeholder={out.oauth2?.cloud?.resourcesUrl ?? "https://api.atlassian.com/oauth/token/accessible-resources"} defaultValue={values?.resourcesUrl ?? ""} error={fields?.resourcesUrl} />
                  <TextField id="apiUrl" label="API gateway URL" type="url" placeholder={out.oauth2?.cloud?.apiUrl ?? "https://api.atlassian.com"} defaultValue={values?.apiUrl ?? ""} error={fields?.apiUrl} />
                </>
              ) : null}
            </div>
          </details>
        </>
      ) : null}
      {scheme !== "oauth1" && scheme !== "oauth2" ? (
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="forUsers" defaultChecked={values ? values.forUsers === "on" : (out.forUsers ?? false)} /> For every signed-in user, not only administrators and server
          code (they all act as this one remote user)
        </label>
      ) : null}
      <fieldset className="flex flex-col gap-3 border-t border-border pt-4">
        <legend className="text-sm font-medium">Client certificate (mutual TLS)</legend>
        {certificate ? (
          <div className="rounded-md bg-surface-2 p-3 text-sm" data-testid="client-certificate">
            <p>
              {certificate.subject}, issued by {certificate.issuer}, valid until {certificate.validTo.slice(0, 10)}
              {certificate.state !== "valid" ? <strong className="ml-2 text-danger">{certificate.state === "expired" ? "expired" : "expires within 30 days"}</strong> : null}
            </p>
            <p className="break-all font-mono text-xs text-muted">SHA-256 {certificate.fingerprint256}</p>
            <label className="mt-2 flex items-center gap-2">
              <input type="checkbox" name="removeCertificate" /> Remove the client certificate
            </label>
          </div>
        ) : (
          <p className="text-sm text-muted">None: the remote sees no client certificate.</p>
        )}
        <TextAreaField id="certificatePem" label={certificate ? "New certificate (PEM)" : "Certificate (PEM)"} rows={4} placeholder="-----BEGIN CERTIFICATE-----" error={fields?.certificatePem} />
        <TextAreaField
          id="privateKeyPem"
          label="Its private key (PEM, unencrypted)"
          rows={4}
          placeholder="-----BEGIN PRIVATE KEY-----"
          error={fields?.privateKeyPem}
          hint={out.certificateRequest ? "Leave blank for the certificate signed from the request below: its key is already here." : "Stored sealed in the vault; never shown again."}
        />
        <div className="flex flex-col gap-1">
          <label htmlFor="pkcs12File" className="text-sm font-medium">
            Or a PKCS#12 file (.p12, .pfx)
          </label>
          <input
            id="pkcs12File"
            name="pkcs12File"
            type="file"
            accept=".p12,.pfx,application/x-pkcs12"
            className="text-sm file:mr-3 file:rounded-md file:border file:border-border file:bg-surface-2 file:px-3 file:py-1.5"
            aria-invalid={fields?.pkcs12File || fields?.pkcs12Base64 ? true : undefined}
            aria-describedby={fields?.pkcs12File || fields?.pkcs12Base64 ? "pkcs12File-error" : "pkcs12File-hint"}
          />
          {fields?.pkcs12File || fields?.pkcs12Base64 ? (
            <p id="pkcs12File-error" className="text-xs text-danger" role="alert">
              {fields.pkcs12File ?? fields.pkcs12Base64}
            </p>
          ) : (
            <p id="pkcs12File-hint" className="text-xs text-muted">
              The certificate and its key in one file, as Windows and Java keystores export them; opened here and stored as PEM.
            </p>
          )}
        </div>
        <TextField id="pkcs12Passphrase" label="The file's passphrase" type="password" autoComplete="off" error={fields?.pkcs12Passphrase ?? fields?.passphrase} />
        <TextAreaField
          id="caCertificatesPem"
          label="Certificate authorities to trust for this link (PEM)"
          rows={3}
          placeholder="-----BEGIN CERTIFICATE-----"
          error={fields?.caCertificatesPem}
          hint={out.caCertificates?.length ? `Now: ${out.caCertificates.map((c) => c.subject).join("; ")}. Leave blank to keep.` : "Beside the system's; for a remote whose certificate a private CA issued."}
        />
        {out.caCertificates?.length ? (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="removeCa" /> Trust only the system&apos;s authorities again
          </label>
        ) : null}
        <SelectField id="minTlsVersion" label="Minimum TLS version" defaultValue={values?.minTlsVersion ?? out.minTlsVersion} error={fields?.minTlsVersion}>
          <option value="TLSv1.2">TLS 1.2</option>
          <option value="TLSv1.3">TLS 1.3</option>
        </SelectField>
      </fieldset>
      <FormMessage result={state} />
      <div>
        <SubmitButton pendingLabel="Saving…">Save credential and TLS</SubmitButton>
      </div>
    </form>
  );
}

/**
 * Seed 002's flow: this app makes the key (it never leaves the vault) and a certificate signing
 * request for a subject the admin types; the admin sends the request to their authority and pastes
 * the signed certificate into the form above, without a key.
 */
export function CertificateRequestForm({ action, link }: { action: Action; link: { id: string; version: number; outgoing: Pick<CredentialView, "certificateRequest"> } }) {
  const [state, formAction] = useActionState(action, null);
  const fields = state && !state.ok ? state.fields : undefined;
  const values = state && !state.ok ? state.values : undefined;
  const pending = link.outgoing.certificateRequest;
  return (
    <form action={formAction} className="flex flex-col gap-3" aria-label="Certificate request" key={values ? JSON.stringify(values) : `saved-${pending?.csrPem.slice(-60) ?? "none"}`}>
      <input type="hidden" name="id" value={link.id} />
      {pending ? (
        <div className="flex flex-col gap-1">
          <label htmlFor="csr-pem" className="text-sm font-medium">
            Certificate request waiting for its certificate
          </label>
          <textarea id="csr-pem" readOnly rows={6} value={pending.csrPem} className="w-full rounded-md border border-border bg-surface-2 p-2 font-mono text-xs" />
        </div>
      ) : null}
      <p className="text-sm text-muted">Or let this app make the key: it stays here, and your certificate authority signs a request for it.</p>
      <TextField id="commonName" label="Common name (the domain)" defaultValue={values?.commonName ?? ""} error={fields?.commonName} />
      <TextField id="organization" label="Organization (optional)" defaultValue={values?.organization ?? ""} error={fields?.organization} />
      <TextField id="country" label="Country code (optional)" maxLength={2} defaultValue={values?.country ?? ""} error={fields?.country} />
      <FormMessage result={state} />
      <div>
        <SubmitButton pendingLabel="Making the key…">{pending ? "Make a new key and request" : "Make a key and certificate request"}</SubmitButton>
      </div>
    </form>
  );
}
