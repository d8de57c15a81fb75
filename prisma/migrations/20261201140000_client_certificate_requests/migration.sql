-- A key pair and a certificate signing request made here for a link's client certificate (issue 15,
-- seed 002): the CSR (public) and the vault id of its key. Columns added in place (a table rebuild
-- would drop the Link table's CacheVersion triggers).
ALTER TABLE "Link" ADD COLUMN "outCsrPem" TEXT;
ALTER TABLE "Link" ADD COLUMN "outCsrKeySecretId" TEXT;
