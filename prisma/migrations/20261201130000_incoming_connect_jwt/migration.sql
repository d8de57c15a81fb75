-- Incoming Atlassian Connect JWT per link (issue 15): the issuer the remote's tokens carry, and the
-- vault id of their shared secret. Columns added in place (a table rebuild would drop the Link
-- table's CacheVersion triggers).
ALTER TABLE "Link" ADD COLUMN "inJwtIssuer" TEXT;
ALTER TABLE "Link" ADD COLUMN "inJwtSecretId" TEXT;
CREATE UNIQUE INDEX "Link_inJwtIssuer_key" ON "Link"("inJwtIssuer");
