import { oauth2MetadataRoute } from "@/lib/api/oauth2-endpoints";

// GET /.well-known/oauth-authorization-server – incoming OAuth 2.0's metadata (RFC 8414), for clients that configure themselves
export const GET = (req: Request) => oauth2MetadataRoute(req);
