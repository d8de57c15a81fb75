-- Incoming OAuth 2.0 (issue 24); see the SQLite twin.
-- CreateTable
CREATE TABLE "OAuth2Client" (
    "id" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "redirectUris" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "secretRotatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuth2Client_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuth2Code" (
    "codeHash" TEXT NOT NULL,
    "clientRowId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "redirectUri" TEXT NOT NULL,
    "codeChallenge" TEXT,
    "codeChallengeMethod" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuth2Code_pkey" PRIMARY KEY ("codeHash")
);

-- CreateTable
CREATE TABLE "OAuth2Grant" (
    "id" TEXT NOT NULL,
    "clientRowId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "scopes" TEXT NOT NULL,
    "codeHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "OAuth2Grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuth2Token" (
    "tokenHash" TEXT NOT NULL,
    "grantId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "spentAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuth2Token_pkey" PRIMARY KEY ("tokenHash")
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

-- AddForeignKey
ALTER TABLE "OAuth2Client" ADD CONSTRAINT "OAuth2Client_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuth2Code" ADD CONSTRAINT "OAuth2Code_clientRowId_fkey" FOREIGN KEY ("clientRowId") REFERENCES "OAuth2Client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuth2Code" ADD CONSTRAINT "OAuth2Code_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuth2Grant" ADD CONSTRAINT "OAuth2Grant_clientRowId_fkey" FOREIGN KEY ("clientRowId") REFERENCES "OAuth2Client"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuth2Grant" ADD CONSTRAINT "OAuth2Grant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "OAuth2Token" ADD CONSTRAINT "OAuth2Token_grantId_fkey" FOREIGN KEY ("grantId") REFERENCES "OAuth2Grant"("id") ON DELETE CASCADE ON UPDATE CASCADE;


CREATE TRIGGER "OAuth2Client_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "OAuth2Client" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "OAuth2Grant_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "OAuth2Grant" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "OAuth2Token_cache_version" AFTER DELETE ON "OAuth2Token" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
