import { db } from "@/lib/db";
import { oauth2TokenRoute } from "@/lib/api/oauth2-endpoints";

// POST /rest/oauth2/latest/token – incoming OAuth 2.0: a code or a refresh token becomes tokens (lib/incoming/oauth2)
export const POST = (req: Request) => oauth2TokenRoute(db, req);
