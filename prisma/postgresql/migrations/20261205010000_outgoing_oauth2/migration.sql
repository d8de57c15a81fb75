-- CreateTable
CREATE TABLE "OAuth2Authorization" (
    "id" TEXT NOT NULL,
    "stateHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "verifierSecretId" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "returnTo" TEXT NOT NULL DEFAULT '/links',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuth2Authorization_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuth2RemoteToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "cloudId" TEXT,
    "redirectUrl" TEXT NOT NULL,
    "refreshedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lockedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "OAuth2RemoteToken_pkey" PRIMARY KEY ("id")
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

