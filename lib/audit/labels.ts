/** How the audit log names the fields it records (a column name means nothing to a reader). */
const FIELD_LABELS: Record<string, string> = {
  name: "Name",
  type: "Type",
  rpcUrl: "RPC URL",
  displayUrl: "Display URL",
  remoteAppId: "Application id",
  primary: "Primary",
  version: "Version",
  disabled: "Disabled",
  trustedApps: "Trusted Applications",
  basicAccess: "Basic Access",
  outEnabled: "Outgoing OAuth",
  out3lo: "Outgoing 3LO",
  out2lo: "Outgoing 2LO",
  out2loUsers: "Outgoing 2LO for every user",
  outImpersonation: "Outgoing 2LO with impersonation",
  outScheme: "Outgoing authentication",
  outMinTlsVersion: "Minimum TLS version",
  outClientCertInfo: "Client certificate",
  outCaCertificates: "Certificate authorities",
  outCsrPem: "Certificate request",
  outSchemeInfo: "Outgoing credential",
  outSchemeKept: "Credentials kept for a switch back",
  inJwtIssuer: "Connect JWT issuer",
  outRequestTokenUrl: "Request token URL",
  outAuthorizeUrl: "Authorize URL",
  outAccessTokenUrl: "Access token URL",
  inEnabled: "Incoming OAuth",
  inConsumerKey: "Incoming consumer key",
  inConsumerName: "Incoming consumer name",
  inPublicKeyFingerprint: "Incoming public key",
  in3lo: "Incoming 3LO",
  in2lo: "Incoming 2LO",
  inExecuteAs: "Incoming 2LO runs as",
  inImpersonation: "Incoming 2LO with impersonation",
  username: "Username",
  email: "Email",
  displayName: "Display name",
  role: "Role",
  discardedAccessTokens: "Access tokens discarded",
};

export function auditFieldLabel(field: string): string {
  return FIELD_LABELS[field] ?? field.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase().replace(/^./, (c) => c.toUpperCase());
}

/** A recorded value as a person reads it: on/off for booleans, "none" for nothing. */
export function auditValue(value: unknown): string {
  if (value === true) return "on";
  if (value === false) return "off";
  if (value === null || value === undefined || value === "") return "none";
  return typeof value === "string" ? value : JSON.stringify(value);
}
