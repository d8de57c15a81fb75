import type { AppIdentityView } from "@/lib/identity/app-identity";
import { xmlDocument } from "@/lib/applinks/xml";
import pkg from "@/package.json";

/** The type id this app announces; an Atlassian peer shows it as a generic application. */
export const APPLINK_TYPE_ID = "applink-admin";
/** The applinks protocol generation whose manifest shape we serve. */
export const APPLINKS_VERSION = "9.0.0";

const OAUTH_PROVIDER = "com.atlassian.applinks.api.auth.types.OAuthAuthenticationProvider";
const TWO_LO_PROVIDER = "com.atlassian.applinks.api.auth.types.TwoLeggedOAuthAuthenticationProvider";
const TWO_LO_I_PROVIDER = "com.atlassian.applinks.api.auth.types.TwoLeggedOAuthWithImpersonationAuthenticationProvider";

/**
 * `GET /rest/applinks/1.0/manifest`: who this application is, in the XML shape Atlassian's
 * applinks clients read (id, name, typeId, version, buildNumber, applinksVersion, url, and the
 * authentication types it accepts and uses).
 */
export function renderManifest(identity: AppIdentityView, baseUrl: string): string {
  const providers = [OAUTH_PROVIDER, TWO_LO_PROVIDER, TWO_LO_I_PROVIDER];
  const inbound = providers.map((p): [string, string] => ["inboundAuthenticationTypes", p]);
  const outbound = providers.map((p): [string, string] => ["outboundAuthenticationTypes", p]);
  return xmlDocument("manifest", [
    ["id", identity.instanceId],
    ["name", identity.consumerName],
    ["typeId", APPLINK_TYPE_ID],
    ["version", pkg.version],
    ["buildNumber", String(buildNumber(pkg.version))],
    ["applinksVersion", APPLINKS_VERSION],
    ...inbound,
    ...outbound,
    ["publicSignup", "false"],
    ["url", baseUrl.replace(/\/+$/, "")],
  ]);
}

/** `GET /plugins/servlet/oauth/consumer-info`: what a provider stores about us as a consumer. */
export function renderConsumerInfo(identity: AppIdentityView): string {
  return xmlDocument("consumer", [
    ["key", identity.consumerKey],
    ["name", identity.consumerName],
    ["publicKey", identity.publicKeyBase64],
    ["description", identity.description],
  ]);
}

/** 0.1.0 → 100: a number that grows with the version, as Atlassian's build numbers do. */
function buildNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  return major * 10000 + minor * 100 + patch;
}
