import "server-only";
import { headers } from "next/headers";
import { publicBaseUrl } from "@/lib/http/public-url";

/** This app's base URL as the browser reached it, for a page (Server Components have no Request). */
export async function pagePublicBaseUrl(): Promise<string> {
  const incoming = await headers();
  return publicBaseUrl(new Request(`http://${incoming.get("host") ?? "localhost"}/`, { headers: new Headers(incoming) }));
}

/** A page's path with its query, for a sign-in that must come back to the same page (a proposal's parameters included). */
export function pathWithQuery(path: string, query: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(key, v);
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}
