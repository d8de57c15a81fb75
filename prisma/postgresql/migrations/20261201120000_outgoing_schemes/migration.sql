-- A scheme per link for outgoing requests (issue 15); see the SQLite twin.
-- AlterTable
ALTER TABLE "Link" ADD COLUMN     "outCaCertificatesPem" TEXT,
ADD COLUMN     "outClientCertInfo" TEXT,
ADD COLUMN     "outClientCertSecretId" TEXT,
ADD COLUMN     "outMinTlsVersion" TEXT NOT NULL DEFAULT 'TLSv1.2',
ADD COLUMN     "outScheme" TEXT NOT NULL DEFAULT 'oauth1',
ADD COLUMN     "outSchemeInfo" TEXT,
ADD COLUMN     "outSchemeSecretId" TEXT;

