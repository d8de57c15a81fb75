import { db } from "@/lib/db";
import { withCaller } from "@/lib/api/with-caller";
import { ensureAppIdentity } from "@/lib/identity/app-identity";

// GET /api/v1/consumer – this app's own consumer identity, as remote admins enter it
export const GET = withCaller("user", async () => {
  const identity = await ensureAppIdentity(db);
  return Response.json({
    key: identity.consumerKey,
    name: identity.consumerName,
    publicKey: identity.publicKeyPem,
    publicKeyBase64: identity.publicKeyBase64,
    fingerprint: identity.fingerprint,
    instanceId: identity.instanceId,
  });
});
