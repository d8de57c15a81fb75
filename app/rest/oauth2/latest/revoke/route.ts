import { db } from "@/lib/db";
import { oauth2RevokeRoute } from "@/lib/api/oauth2-endpoints";

// POST /rest/oauth2/latest/revoke – incoming OAuth 2.0: a client revokes a token it holds (RFC 7009)
export const POST = (req: Request) => oauth2RevokeRoute(db, req);
