import { db } from "@/lib/db";
import { readJson, withCaller } from "@/lib/api/with-caller";
import { csrSubjectSchema } from "@/lib/links/schemas";
import { requestClientCertificate } from "@/lib/links/update-link";

type P = { id: string };

// POST /api/v1/links/{id}/outgoing/csr – {commonName, organization?, organizationalUnit?, locality?, state?, country?}:
// a new key (kept in the vault) and a certificate signing request for it; paste the signed certificate back with PUT outgoing
export const POST = withCaller<"admin", P>(
  "admin",
  async ({ req, caller, params }) => {
    const { link, csrPem, subject } = await requestClientCertificate(db, caller, params.id, await readJson(req, csrSubjectSchema));
    return Response.json({ csrPem, subject, version: link.version }, { status: 201 });
  },
  { delegation: "never" },
);
