import http from "node:http";
import type { AddressInfo } from "node:net";
import { directRouteFor } from "@/lib/api/direct-routes";

/** A route as a test serves it: a web Request in, a Response out. */
export type TestRoute = (request: Request) => Response | Promise<Response>;

/**
 * This app's routes behind a real socket on a loopback port, as scripts/serve.mjs serves them:
 * each request, read whole, becomes a web Request for the route its path names (404 for any other).
 * With `direct`, the routes serve.mjs answers without Next.js (the proxy) go there first.
 */
export async function serveRoutes(routes: Record<string, TestRoute>, options: { direct?: boolean } = {}): Promise<{ server: http.Server; base: string }> {
  const server = http.createServer(async (req, res) => {
    const direct = options.direct ? directRouteFor(req) : null;
    if (direct) return direct(req, res);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const request = new Request(`http://${req.headers.host}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const route = routes[new URL(request.url).pathname];
    const response = route ? await route(request) : new Response("not here", { status: 404 });
    res.writeHead(response.status, Object.fromEntries(response.headers)).end(Buffer.from(await response.arrayBuffer()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
