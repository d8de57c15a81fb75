import { db } from "@/lib/db";
import { accessTokenEndpoint } from "@/lib/api/oauth-provider-endpoints";

// POST /plugins/servlet/oauth/access-token – an authorized request token and its verifier become an access token
export const POST = (req: Request) => accessTokenEndpoint(db, req);
