import { request } from "undici";
import { z } from "zod";
import type { Link } from "@/lib/generated/prisma/client";
import { AppError } from "@/lib/errors";
import type { OAuth2Endpoints } from "@/lib/outgoing/oauth2-settings";

const resources = z.array(z.object({ id: z.string().min(1), url: z.string(), name: z.string().optional(), scopes: z.array(z.string()).optional() }).loose());

/** An origin as Atlassian names a site's: lower case, no trailing slash. */
const originOf = (url: string) => {
  try {
    return new URL(url).origin.toLowerCase();
  } catch {
    return null;
  }
};

/**
 * Atlassian Cloud: a person may authorize several sites at once. The one this link is for is the
 * site whose URL is the link's (RPC or display URL's origin), from `accessible-resources`; none
 * matching is an error naming the sites they did authorize.
 */
export async function chooseCloudSite(link: Pick<Link, "name" | "rpcUrl" | "displayUrl">, cloud: NonNullable<OAuth2Endpoints["cloud"]>, accessToken: string): Promise<string> {
  let answer;
  try {
    answer = await request(cloud.resourcesUrl, { method: "GET", headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  } catch (error) {
    throw new AppError("network_error", `NETWORK_ERROR: ${new URL(cloud.resourcesUrl).host} could not be reached to list the sites you authorized (${(error as Error).message}).`);
  }
  const text = await answer.body.text();
  let sites: z.infer<typeof resources>;
  try {
    if (answer.statusCode !== 200) throw new Error(`HTTP ${answer.statusCode}`);
    sites = resources.parse(JSON.parse(text));
  } catch (error) {
    throw new AppError("network_error", `${new URL(cloud.resourcesUrl).host} did not list the sites you authorized (${(error as Error).message}).`);
  }
  const wanted = new Set([link.rpcUrl, link.displayUrl].flatMap((url) => (url ? [originOf(url)] : [])));
  const site = sites.find((s) => wanted.has(originOf(s.url)));
  if (!site) {
    const named = sites.map((s) => s.url).join(", ") || "none";
    throw new AppError("conflict", `You authorized ${sites.length === 1 ? "a site" : "sites"} other than ${[...wanted].join(" or ")} (${named}): authorize again and choose that site on Atlassian's consent page.`);
  }
  return site.id;
}

/** Where a request for the link's URL goes through Atlassian's API gateway: the same path under /ex/{product}/{cloudId}. */
export function cloudApiUrl(url: string, cloud: NonNullable<OAuth2Endpoints["cloud"]>, cloudId: string): string {
  const target = new URL(url);
  return `${cloud.apiUrl.replace(/\/+$/, "")}/ex/${cloud.product}/${encodeURIComponent(cloudId)}${target.pathname}${target.search}`;
}
