-- CreateTable
CREATE TABLE "OAuthIssuedToken" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "linkId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "callback" TEXT,
    "verifierHash" TEXT,
    "userId" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME
);

-- CreateIndex
CREATE UNIQUE INDEX "OAuthIssuedToken_tokenHash_key" ON "OAuthIssuedToken"("tokenHash");

-- CreateIndex
CREATE INDEX "OAuthIssuedToken_linkId_idx" ON "OAuthIssuedToken"("linkId");

-- CreateIndex
CREATE INDEX "OAuthIssuedToken_userId_idx" ON "OAuthIssuedToken"("userId");

