-- Incoming Atlassian Connect JWT per link (issue 15); see the SQLite twin.
-- AlterTable
ALTER TABLE "Link" ADD COLUMN     "inJwtIssuer" TEXT,
ADD COLUMN     "inJwtSecretId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Link_inJwtIssuer_key" ON "Link"("inJwtIssuer");

