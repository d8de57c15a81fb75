-- A scheme per link for outgoing requests (issue 15): OAuth 1.0a as before, or one fixed credential
-- (Basic, a personal access token, a gateway API key), and a client certificate under any of them
-- (mutual TLS), with certificate authorities and a minimum TLS version per link. Secrets are in the
-- vault; these columns hold their ids and public descriptions. Columns added in place (a table
-- rebuild would drop the Link table's CacheVersion triggers).
ALTER TABLE "Link" ADD COLUMN "outScheme" TEXT NOT NULL DEFAULT 'oauth1';
ALTER TABLE "Link" ADD COLUMN "outSchemeInfo" TEXT;
ALTER TABLE "Link" ADD COLUMN "outSchemeSecretId" TEXT;
ALTER TABLE "Link" ADD COLUMN "outClientCertSecretId" TEXT;
ALTER TABLE "Link" ADD COLUMN "outClientCertInfo" TEXT;
ALTER TABLE "Link" ADD COLUMN "outCaCertificatesPem" TEXT;
ALTER TABLE "Link" ADD COLUMN "outMinTlsVersion" TEXT NOT NULL DEFAULT 'TLSv1.2';
