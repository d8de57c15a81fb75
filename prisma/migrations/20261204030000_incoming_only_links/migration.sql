-- An external application that only calls in (OAuth 2.0, issue 24) has no RPC URL: Link.rpcUrl may be
-- null (still unique among those that have one). SQLite cannot drop NOT NULL in place: Prisma's table
-- rebuild, every row copied; the rebuild drops the table's cache triggers, which are made again below.
-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Link" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "rpcUrl" TEXT,
    "displayUrl" TEXT NOT NULL,
    "remoteAppId" TEXT,
    "primary" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "trustedApps" BOOLEAN NOT NULL DEFAULT false,
    "basicAccess" BOOLEAN NOT NULL DEFAULT false,
    "outEnabled" BOOLEAN NOT NULL DEFAULT false,
    "out3lo" BOOLEAN NOT NULL DEFAULT false,
    "out2lo" BOOLEAN NOT NULL DEFAULT false,
    "outImpersonation" BOOLEAN NOT NULL DEFAULT false,
    "out2loUsers" BOOLEAN NOT NULL DEFAULT false,
    "outScheme" TEXT NOT NULL DEFAULT 'oauth1',
    "outSchemeInfo" TEXT,
    "outSchemeSecretId" TEXT,
    "outSchemeKept" TEXT,
    "outClientCertSecretId" TEXT,
    "outClientCertInfo" TEXT,
    "outCsrPem" TEXT,
    "outCsrKeySecretId" TEXT,
    "outCaCertificatesPem" TEXT,
    "outMinTlsVersion" TEXT NOT NULL DEFAULT 'TLSv1.2',
    "outRequestTokenUrl" TEXT,
    "outAuthorizeUrl" TEXT,
    "outAccessTokenUrl" TEXT,
    "inEnabled" BOOLEAN NOT NULL DEFAULT false,
    "inConsumerKey" TEXT,
    "inConsumerName" TEXT,
    "inPublicKeyPem" TEXT,
    "in3lo" BOOLEAN NOT NULL DEFAULT false,
    "in2lo" BOOLEAN NOT NULL DEFAULT false,
    "inExecuteAs" TEXT,
    "inImpersonation" BOOLEAN NOT NULL DEFAULT false,
    "inJwtIssuer" TEXT,
    "inJwtSecretId" TEXT,
    "lastProblem" TEXT,
    "lastProblemAt" DATETIME,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Link" ("basicAccess", "createdAt", "disabled", "displayUrl", "id", "in2lo", "in3lo", "inConsumerKey", "inConsumerName", "inEnabled", "inExecuteAs", "inImpersonation", "inJwtIssuer", "inJwtSecretId", "inPublicKeyPem", "lastProblem", "lastProblemAt", "name", "out2lo", "out2loUsers", "out3lo", "outAccessTokenUrl", "outAuthorizeUrl", "outCaCertificatesPem", "outClientCertInfo", "outClientCertSecretId", "outCsrKeySecretId", "outCsrPem", "outEnabled", "outImpersonation", "outMinTlsVersion", "outRequestTokenUrl", "outScheme", "outSchemeInfo", "outSchemeKept", "outSchemeSecretId", "primary", "remoteAppId", "rpcUrl", "trustedApps", "type", "updatedAt", "version") SELECT "basicAccess", "createdAt", "disabled", "displayUrl", "id", "in2lo", "in3lo", "inConsumerKey", "inConsumerName", "inEnabled", "inExecuteAs", "inImpersonation", "inJwtIssuer", "inJwtSecretId", "inPublicKeyPem", "lastProblem", "lastProblemAt", "name", "out2lo", "out2loUsers", "out3lo", "outAccessTokenUrl", "outAuthorizeUrl", "outCaCertificatesPem", "outClientCertInfo", "outClientCertSecretId", "outCsrKeySecretId", "outCsrPem", "outEnabled", "outImpersonation", "outMinTlsVersion", "outRequestTokenUrl", "outScheme", "outSchemeInfo", "outSchemeKept", "outSchemeSecretId", "primary", "remoteAppId", "rpcUrl", "trustedApps", "type", "updatedAt", "version" FROM "Link";
DROP TABLE "Link";
ALTER TABLE "new_Link" RENAME TO "Link";
CREATE UNIQUE INDEX "Link_rpcUrl_key" ON "Link"("rpcUrl");
CREATE UNIQUE INDEX "Link_remoteAppId_key" ON "Link"("remoteAppId");
CREATE UNIQUE INDEX "Link_inConsumerKey_key" ON "Link"("inConsumerKey");
CREATE UNIQUE INDEX "Link_inJwtIssuer_key" ON "Link"("inJwtIssuer");
CREATE INDEX "Link_type_primary_idx" ON "Link"("type", "primary");
CREATE INDEX "Link_name_idx" ON "Link"("name");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;


CREATE TRIGGER "Link_insert_cache_version" AFTER INSERT ON "Link" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "Link_update_cache_version" AFTER UPDATE ON "Link" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "Link_delete_cache_version" AFTER DELETE ON "Link" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
