import "server-only";
import { headers } from "next/headers";
import { publicBaseUrl } from "@/lib/http/public-url";

/** This app's base URL as the browser reached it, for a page (Server Components have no Request). */
export async function pagePublicBaseUrl(): Promise<string> {
  const incoming = await headers();
  return publicBaseUrl(new Request(`http://${incoming.get("host") ?? "localhost"}/`, { headers: new Headers(incoming) }));
}
