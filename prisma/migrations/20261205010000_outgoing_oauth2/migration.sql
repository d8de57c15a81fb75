-- CreateTable
CREATE TABLE "OAuth2Authorization" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "stateHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "verifierSecretId" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "returnTo" TEXT NOT NULL DEFAULT '/links',
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "OAuth2RemoteToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "expiresAt" DATETIME,
    "cloudId" TEXT,
    "redirectUrl" TEXT NOT NULL,
    "refreshedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuth2Authorization_stateHash_key" ON "OAuth2Authorization"("stateHash");

-- CreateIndex
CREATE INDEX "OAuth2Authorization_linkId_idx" ON "OAuth2Authorization"("linkId");

-- CreateIndex
CREATE INDEX "OAuth2Authorization_expiresAt_idx" ON "OAuth2Authorization"("expiresAt");

-- CreateIndex
CREATE INDEX "OAuth2RemoteToken_linkId_idx" ON "OAuth2RemoteToken"("linkId");

-- CreateIndex
CREATE UNIQUE INDEX "OAuth2RemoteToken_userId_linkId_key" ON "OAuth2RemoteToken"("userId", "linkId");

