import { db } from "@/lib/db";
import { requestTokenEndpoint } from "@/lib/api/oauth-provider-endpoints";

// POST /plugins/servlet/oauth/request-token – a linked consumer (signed, incoming 3LO on) gets a request token
export const POST = (req: Request) => requestTokenEndpoint(db, req);
