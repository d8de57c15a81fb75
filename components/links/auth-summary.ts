/** One line per direction: "3LO, 2LO, impersonation" or "off". */
export function authSummary(d: { enabled: boolean; threeLegged: boolean; twoLegged: boolean; twoLeggedForUsers?: boolean; impersonation: boolean }): string {
  if (!d.enabled) return "off";
  const parts = [d.threeLegged && "3LO", d.twoLegged && (d.twoLeggedForUsers ? "2LO (all users)" : "2LO"), d.impersonation && "impersonation"].filter(Boolean);
  return parts.length ? parts.join(", ") : "on, no flow chosen";
}

/** The outgoing direction in one line: the OAuth levels, or the fixed credential, and a client certificate. */
export function outgoingSummary(o: { scheme?: string; credential?: { username?: string; header?: string; issuer?: string; clientId?: string }; oauth2?: { presetName: string; clientId: string }; clientCertificate?: { state: string } | null; enabled: boolean; threeLegged: boolean; twoLegged: boolean; twoLeggedForUsers?: boolean; impersonation: boolean }): string {
  const base =
    !o.scheme || o.scheme === "oauth1"
      ? authSummary(o)
      : !o.enabled
        ? "off"
        : o.scheme === "oauth2"
          ? `OAuth 2.0, each person's own authorization (${o.oauth2?.presetName ?? "?"}, client ${o.oauth2?.clientId ?? "?"})`
          : o.scheme === "basic"
          ? `Basic as ${o.credential?.username ?? "?"}`
          : o.scheme === "bearer"
            ? "a personal access token"
            : o.scheme === "connect-jwt"
              ? `a Connect JWT as ${o.credential?.issuer ?? "?"}`
              : o.scheme === "oauth2-client-credentials"
                ? `OAuth 2.0 client credentials as ${o.credential?.clientId ?? "?"}`
                : `an API key in ${o.credential?.header ?? "a header"}`;
  return o.clientCertificate ? `${base}, with a client certificate${o.clientCertificate.state === "valid" ? "" : ` (${o.clientCertificate.state === "expired" ? "expired" : "expires within 30 days"})`}` : base;
}

/** The incoming direction in one line: the OAuth levels the remote may use, and Connect JWTs when accepted. */
export function incomingSummary(i: { enabled: boolean; threeLegged: boolean; twoLegged: boolean; impersonation: boolean; connectJwt?: { issuer: string } | null }): string {
  const oauth = authSummary(i);
  if (!i.connectJwt) return oauth;
  const jwt = `Connect JWT from ${i.connectJwt.issuer}`;
  return oauth === "off" ? jwt : `${oauth}, ${jwt}`;
}
