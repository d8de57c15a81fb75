-- A key pair and a certificate signing request per link (issue 15); see the SQLite twin.
-- AlterTable
ALTER TABLE "Link" ADD COLUMN     "outCsrKeySecretId" TEXT,
ADD COLUMN     "outCsrPem" TEXT;

