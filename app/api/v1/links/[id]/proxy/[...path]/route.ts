import { proxyRouteHandler as handler } from "@/lib/api/proxy-route";

// ANY /api/v1/links/{id}/proxy/{path…} – forwards to the link's RPC URL + path (query and body kept), signed for the caller.
// Under `npm start` the server answers this path directly (lib/api/direct-routes.ts), without Next.js routing;
// this route serves it under `npm run dev` and wherever the direct route is not installed.
export { handler as GET, handler as POST, handler as PUT, handler as PATCH, handler as DELETE, handler as HEAD };
