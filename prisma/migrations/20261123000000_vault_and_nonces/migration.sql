-- CreateTable
CREATE TABLE "VaultSecret" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "purpose" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "OAuthNonce" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "consumerKey" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "timestamp" INTEGER NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "VaultSecret_keyId_idx" ON "VaultSecret"("keyId");

-- CreateIndex
CREATE INDEX "OAuthNonce_createdAt_idx" ON "OAuthNonce"("createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthNonce_consumerKey_nonce_key" ON "OAuthNonce"("consumerKey", "nonce");

