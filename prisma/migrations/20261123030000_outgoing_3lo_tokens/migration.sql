-- CreateTable
CREATE TABLE "OAuthRequestToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "returnTo" TEXT NOT NULL DEFAULT '/links',
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "OAuthAccessToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuthRequestToken_token_key" ON "OAuthRequestToken"("token");

-- CreateIndex
CREATE INDEX "OAuthRequestToken_userId_linkId_idx" ON "OAuthRequestToken"("userId", "linkId");

-- CreateIndex
CREATE INDEX "OAuthRequestToken_expiresAt_idx" ON "OAuthRequestToken"("expiresAt");

-- CreateIndex
CREATE INDEX "OAuthAccessToken_linkId_idx" ON "OAuthAccessToken"("linkId");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthAccessToken_userId_linkId_key" ON "OAuthAccessToken"("userId", "linkId");

