import { z } from "zod";
import { OAUTH2_SCOPES } from "@/lib/auth/oauth2-scopes";
import { SCHEME_FIELDS, SCHEMES, validKeyHeader } from "@/lib/outgoing/schemes";
import { OAUTH2_PRESETS } from "@/lib/outgoing/oauth2-settings";

/** Authorization request parameters this app sets itself, never taken from the admin. */
const RESERVED_AUTHORIZATION_PARAMETERS = new Set(["response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge", "code_challenge_method"]);
import { connectSharedSecretSchema, shownName, usernameSchema } from "@/lib/validation/fields";

export const LINK_TYPES = ["jira", "confluence", "bitbucket", "bamboo", "generic", "applink-admin"] as const;
export type LinkType = (typeof LINK_TYPES)[number];
/** How a link type reads on a page. */
export const LINK_TYPE_LABEL: Record<LinkType, string> = {
  jira: "Jira",
  confluence: "Confluence",
  bitbucket: "Bitbucket",
  bamboo: "Bamboo",
  generic: "Generic",
  "applink-admin": "Applink Admin",
};
export const linkTypeLabel = (type: string) => LINK_TYPE_LABEL[type as LinkType] ?? type;
export const linkTypeSchema = z.enum(LINK_TYPES, { error: `Choose one of: ${LINK_TYPES.join(", ")}.` });

/**
 * An application URL: http or https, no credentials, no query or fragment; normalised (host case,
 * default port, no trailing slash) so the same application is always written the same way.
 */
export const appUrlSchema = z
  .string({ error: "Enter a URL." })
  .trim()
  .min(1, "Enter a URL.")
  .max(2000, "At most 2000 characters.")
  .transform((value, ctx) => {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL, such as https://jira.example.com." });
      return z.NEVER;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: "Only http and https URLs can be linked." });
      return z.NEVER;
    }
    if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "Leave credentials out of the URL; authentication is set per direction." });
      return z.NEVER;
    }
    if (url.search || url.hash) {
      ctx.addIssue({ code: "custom", message: "Enter the application's base URL, without ? or #." });
      return z.NEVER;
    }
    return normaliseAppUrl(url);
  });

export function normaliseAppUrl(url: URL | string): string {
  const u = typeof url === "string" ? new URL(url) : url;
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, "")}`;
}

/**
 * A link's status, worst first (the README's "Link status", Atlassian's vocabulary), then UNCHECKED: a link the
 * diagnostics have not checked yet.
 */
export const LINK_STATUSES = ["DISABLED", "NETWORK_ERROR", "INCOMPATIBLE", "CONFIG_ERROR", "ACCESS_DENIED", "AUTHENTICATE", "UPGRADE_CONFIG", "CONNECTED", "UNCHECKED"] as const;
export type LinkStatusCode = (typeof LINK_STATUSES)[number];

export const linkNameSchema = shownName({ max: 120, required: "Enter a name." });

/** POST /api/v1/links: discovery from `{rpcUrl}`, or manual `{name, type, rpcUrl, displayUrl?}`. */
export const createLinkSchema = z
  .object({
    /** Left out for an external application that only calls in (OAuth 2.0): `{name, type: "generic"}`. */
    rpcUrl: appUrlSchema.optional(),
    name: linkNameSchema.optional(),
    type: linkTypeSchema.optional(),
    displayUrl: appUrlSchema.optional(),
    /** Also set up the incoming direction from the remote's consumer info. */
    fetchConsumer: z.boolean().optional(),
  })
  .strict()
  .refine((v) => (v.name === undefined) === (v.type === undefined), {
    message: "Send both name and type (manual creation), or neither (discovery).",
    path: ["type"],
  })
  .refine((v) => v.rpcUrl !== undefined || (v.name !== undefined && v.type === "generic" && v.displayUrl === undefined && !v.fetchConsumer), {
    message: "Enter the remote's URL. Only an external application that calls in alone (name, and type generic) has none.",
    path: ["rpcUrl"],
  });
export type CreateLinkInput = z.input<typeof createLinkSchema>;

const version = z.number({ error: "Send the version you read." }).int().min(1);

/** PATCH /api/v1/links/{id}. */
export const patchLinkSchema = z
  .object({
    version,
    name: linkNameSchema.optional(),
    type: linkTypeSchema.optional(),
    rpcUrl: appUrlSchema.optional(),
    displayUrl: appUrlSchema.optional(),
    primary: z.literal(true, { error: "primary can only be set to true; make another link primary instead." }).optional(),
    trustedApps: z.literal(false, { error: "Trusted Applications is deprecated: it can be switched off, never on." }).optional(),
    basicAccess: z.literal(false, { error: "Basic Access is deprecated: it can be switched off, never on." }).optional(),
    /** false: both directions stop (settings are kept); true: they resume. */
    enabled: z.boolean().optional(),
  })
  .strict();
export type PatchLinkInput = z.input<typeof patchLinkSchema>;

const optionalUrl = z.union([appUrlLike(), z.null()]).optional();
function appUrlLike() {
  return z
    .string()
    .trim()
    .max(2000)
    .refine((v) => {
      try {
        const u = new URL(v);
        return (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
      } catch {
        return false;
      }
    }, "Enter an http or https URL without credentials.");
}

const secretText = (what: string) => z.string().min(1, `Enter the ${what}.`).max(8192).refine((v) => !/[\r\n\0]/.test(v), `The ${what} cannot contain line breaks.`);

/**
 * PUT /api/v1/links/{id}/outgoing. `scheme` (default "oauth1") with its fields beside it:
 * "oauth1" {threeLegged, twoLegged, impersonation, …}; "basic" {username, password}; "bearer"
 * {token}; "api-key" {header, value}; "connect-jwt" {issuer, sharedSecret}; "oauth2-client-credentials"
 * {tokenUrl, clientId, clientSecret, scope?}; "oauth2" (each person's own authorization) {preset,
 * clientId, clientSecret, scopes?, issuer? (custom: the issuer URL whose metadata fills the rest), authorizationUrl?, tokenUrl?, revocationUrl?,
 * resourcesUrl?, apiUrl?, parameters?, clientAuth?}. Secrets are write-only: left out, the stored one is kept (same
 * scheme). Under any scheme: `clientCertificate` {certificatePem, privateKeyPem} or null,
 * `caCertificatesPem` (or null), `minTlsVersion`.
 */
export const outgoingSchema = z
  .object({
    version: version.optional(),
    scheme: z.enum(SCHEMES).optional(),
    enabled: z.boolean().optional(),
    threeLegged: z.boolean().optional(),
    twoLegged: z.boolean().optional(),
    /** Plain 2LO for every signed-in user (default: admins and server code only). */
    twoLeggedForUsers: z.boolean().optional(),
    impersonation: z.boolean().optional(),
    requestTokenUrl: optionalUrl,
    authorizeUrl: optionalUrl,
    accessTokenUrl: optionalUrl,
    username: z.string().trim().min(1, "Enter the username.").max(255).refine((v) => !v.includes(":"), "A Basic username cannot contain a colon.").optional(),
    password: secretText("password or API token").optional(),
    token: secretText("token").optional(),
    header: z.string().trim().refine(validKeyHeader, "Enter a header name (letters, digits, dashes), not a transport header such as Host or Cookie.").optional(),
    value: secretText("key").optional(),
    issuer: shownName({ max: 255, required: "Enter the issuer (the app key the remote knows this app by)." }).optional(),
    sharedSecret: connectSharedSecretSchema.optional(),
    tokenUrl: appUrlLike().optional(),
    clientId: z.string().trim().min(1, "Enter the client id.").max(255).optional(),
    clientSecret: secretText("client secret").optional(),
    scope: z.string().trim().max(1000).optional(),
    /** oauth2: the scopes to ask for (default: the preset's). */
    scopes: z.array(z.string().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,200}$/, "A scope is printable characters without spaces, quotes or backslashes.")).max(50).optional(),
    /** oauth2 (authorization code, per person): lib/outgoing/oauth2-settings.ts. */
    preset: z.enum(OAUTH2_PRESETS, { error: `preset is one of ${OAUTH2_PRESETS.join(", ")}.` }).optional(),
    authorizationUrl: appUrlLike().optional(),
    revocationUrl: z.union([appUrlLike(), z.null()]).optional(),
    /** Atlassian Cloud: where the authorized sites are listed, and the API gateway (tests point them at stand-ins). */
    resourcesUrl: appUrlLike().optional(),
    apiUrl: appUrlLike().optional(),
    /** Extra parameters of the authorization request (the preset's, such as Atlassian's audience, are added). */
    parameters: z
      .record(z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, "A parameter name is letters, digits, dots, dashes or underscores."), z.string().max(1000))
      .refine((p) => Object.keys(p).length <= 20, "At most 20 parameters.")
      .refine((p) => !Object.keys(p).some((name) => RESERVED_AUTHORIZATION_PARAMETERS.has(name)), `These are set by this app: ${[...RESERVED_AUTHORIZATION_PARAMETERS].join(", ")}.`)
      .optional(),
    /** How the client authenticates at the token endpoint (default: the preset's, or what the metadata offers). */
    clientAuth: z.enum(["basic", "post"]).optional(),
    /** A fixed credential for every signed-in user (default: admins and server code only, as plain 2LO). */
    forUsers: z.boolean().optional(),
    /** privateKeyPem left out: the certificate is for the key of the CSR this app made for the link. */
    clientCertificate: z
      .union([
        z.null(),
        z.object({ certificatePem: z.string().max(100_000), privateKeyPem: z.string().max(100_000).optional() }).strict(),
        /** A PKCS#12 file (.p12, .pfx) in base64 with its passphrase: opened here, stored as PEM in the vault. */
        z.object({ pkcs12Base64: z.string().max(200_000), passphrase: z.string().max(1000) }).strict(),
      ])
      .optional(),
    caCertificatesPem: z.union([z.null(), z.string().max(200_000)]).optional(),
    minTlsVersion: z.enum(["TLSv1.2", "TLSv1.3"]).optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    const scheme = o.scheme ?? "oauth1";
    const oauthFields = ["threeLegged", "twoLegged", "impersonation"] as const;
    if (scheme === "oauth1") {
      // `{scheme: "oauth1"}` alone switches back with the levels kept; otherwise all three are given.
      const given = oauthFields.filter((field) => o[field] !== undefined);
      const switchingBack = o.scheme === "oauth1" && given.length === 0;
      if (!switchingBack) for (const field of oauthFields) if (o[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: "Required for OAuth 1.0a (true or false)." });
    }
    // OAuth 2.0's issuer is the authorization server's URL (Connect JWT's is an app key).
    if (scheme === "oauth2" && o.issuer !== undefined && !appUrlLike().safeParse(o.issuer).success) ctx.addIssue({ code: "custom", path: ["issuer"], message: "Enter the authorization server's issuer URL (http or https)." });
    const fieldsOf = (s: keyof typeof SCHEME_FIELDS): string[] => [SCHEME_FIELDS[s].secret, ...SCHEME_FIELDS[s].fields];
    const allowed = scheme === "oauth1" ? [] : fieldsOf(scheme);
    for (const field of Object.keys(SCHEME_FIELDS).flatMap((s) => fieldsOf(s as keyof typeof SCHEME_FIELDS)) as (keyof typeof o)[]) {
      if (o[field] !== undefined && !allowed.includes(field)) ctx.addIssue({ code: "custom", path: [field], message: `Not a field of the "${scheme}" scheme.` });
    }
  });
export type OutgoingInput = z.input<typeof outgoingSchema>;

/** PUT /api/v1/links/{id}/incoming; `fetchConsumer: true` fills the consumer from the remote. */
export const incomingSchema = z
  .object({
    version: version.optional(),
    enabled: z.boolean().optional(),
    fetchConsumer: z.boolean().optional(),
    consumerKey: z.string().trim().min(1, "Enter the remote's consumer key.").max(255).optional().nullable(),
    consumerName: shownName({ max: 255 }).optional().nullable(),
    publicKey: z.string().max(20_000).optional().nullable(),
    threeLegged: z.boolean(),
    twoLegged: z.boolean(),
    executeAs: usernameSchema.optional().nullable(),
    impersonation: z.boolean(),
    /**
     * Atlassian Connect JWTs from the remote: the issuer its tokens carry and the shared secret they
     * are signed with (write-only: left out, the stored one is kept for the same issuer); null stops
     * accepting them. They run as `executeAs`, or as their `sub` where impersonation is on.
     */
    connectJwt: z
      .union([
        z.null(),
        z
          .object({
            issuer: shownName({ max: 255, required: "Enter the issuer (iss) of the remote's tokens." }),
            sharedSecret: connectSharedSecretSchema.optional(),
          })
          .strict(),
      ])
      .optional(),
  })
  .strict();
export type IncomingInput = z.input<typeof incomingSchema>;

/** Incoming OAuth 2.0 (lib/incoming/oauth2): the redirect URLs a code may go to and the scopes the application may ask for. */
export const oauth2ClientSchema = z
  .object({
    redirectUris: z.array(z.string().trim().min(1).max(2000)).min(1, "Enter at least one redirect URL.").max(20, "At most 20 redirect URLs."),
    scopes: z.array(z.enum(OAUTH2_SCOPES, { error: `Scopes are ${OAUTH2_SCOPES.join(", ")}.` })).min(1, "Tick at least one scope."),
  })
  .strict();

/** PUT /api/v1/links/{id}/incoming: OAuth 1.0a and Connect JWT settings, and (or only) OAuth 2.0's `oauth2` (null turns it off). */
export const incomingPutSchema = z.union([
  z.object({ version: version.optional(), oauth2: oauth2ClientSchema.nullable() }).strict(),
  incomingSchema.extend({ oauth2: oauth2ClientSchema.nullable().optional() }),
]);

export const resetSchema = z
  .object({
    direction: z.enum(["incoming", "outgoing", "both"], { error: "direction is incoming, outgoing or both." }),
    /** Incoming: fetch the remote's consumer info again at once (default), or only forget it. */
    fetchConsumer: z.boolean().optional(),
  })
  .strict();

export const listLinksSchema = z.object({
  q: z.string().trim().max(200).optional().catch(undefined),
  type: linkTypeSchema.optional().catch(undefined),
  status: z.enum(LINK_STATUSES).optional().catch(undefined),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).catch(50).default(50),
});

/** POST /api/v1/links/{id}/outgoing/csr: the subject of a new key's certificate signing request. */
export const csrSubjectSchema = z
  .object({
    commonName: z.string().trim().min(1, "Enter the common name (the domain the certificate is for).").max(64),
    organization: z.string().trim().max(64).optional(),
    organizationalUnit: z.string().trim().max(64).optional(),
    locality: z.string().trim().max(128).optional(),
    state: z.string().trim().max(128).optional(),
    country: z.string().trim().regex(/^[A-Za-z]{2}$/, "A two-letter country code.").optional(),
  })
  .strict();
