import { withCaller } from "@/lib/api/with-caller";

// GET /api/v1/myself – who the caller is and how they authenticated
export const GET = withCaller("user", async ({ caller }) =>
  Response.json({ username: caller.username, email: caller.email, displayName: caller.displayName, role: caller.role, via: caller.via, ...(caller.via === "oauth2" ? { clientId: caller.consumerKey, scopes: caller.scopes ?? [] } : caller.consumerKey ? { consumerKey: caller.consumerKey } : {}) }),
);
