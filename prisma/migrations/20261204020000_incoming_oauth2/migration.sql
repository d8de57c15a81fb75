-- Incoming OAuth 2.0 (issue 24): a link's client, its codes, grants and tokens (hashes only). The
-- access-token check is a cached read: a change to a client or a grant, or a token deleted, bumps the
-- cache counter (a token issued changes no answer already given, so its insert does not).
-- CreateTable
CREATE TABLE "OAuth2Client" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "linkId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "redirectUris" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "secretRotatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OAuth2Client_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OAuth2Code" (
    "codeHash" TEXT NOT NULL PRIMARY KEY,
    "clientRowId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "codeChallenge" TEXT,
    "codeChallengeMethod" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "usedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OAuth2Code_clientRowId_fkey" FOREIGN KEY ("clientRowId") REFERENCES "OAuth2Client" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OAuth2Code_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OAuth2Grant" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientRowId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    "revokedAt" DATETIME,
    CONSTRAINT "OAuth2Grant_clientRowId_fkey" FOREIGN KEY ("clientRowId") REFERENCES "OAuth2Client" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OAuth2Grant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "OAuth2Token" (
    "tokenHash" TEXT NOT NULL PRIMARY KEY,
    "grantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "spentAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "OAuth2Token_grantId_fkey" FOREIGN KEY ("grantId") REFERENCES "OAuth2Grant" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuth2Client_linkId_key" ON "OAuth2Client"("linkId");

-- CreateIndex
CREATE UNIQUE INDEX "OAuth2Client_clientId_key" ON "OAuth2Client"("clientId");

-- CreateIndex
CREATE INDEX "OAuth2Code_clientRowId_idx" ON "OAuth2Code"("clientRowId");

-- CreateIndex
CREATE INDEX "OAuth2Code_userId_idx" ON "OAuth2Code"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "OAuth2Grant_codeHash_key" ON "OAuth2Grant"("codeHash");

-- CreateIndex
CREATE INDEX "OAuth2Grant_clientRowId_idx" ON "OAuth2Grant"("clientRowId");

-- CreateIndex
CREATE INDEX "OAuth2Grant_userId_idx" ON "OAuth2Grant"("userId");

-- CreateIndex
CREATE INDEX "OAuth2Token_grantId_idx" ON "OAuth2Token"("grantId");


CREATE TRIGGER "OAuth2Client_insert_cache_version" AFTER INSERT ON "OAuth2Client" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuth2Client_update_cache_version" AFTER UPDATE ON "OAuth2Client" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuth2Client_delete_cache_version" AFTER DELETE ON "OAuth2Client" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuth2Grant_insert_cache_version" AFTER INSERT ON "OAuth2Grant" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuth2Grant_update_cache_version" AFTER UPDATE ON "OAuth2Grant" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuth2Grant_delete_cache_version" AFTER DELETE ON "OAuth2Grant" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuth2Token_delete_cache_version" AFTER DELETE ON "OAuth2Token" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
