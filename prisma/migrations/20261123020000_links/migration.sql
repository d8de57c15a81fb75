-- CreateTable
CREATE TABLE "Link" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "rpcUrl" TEXT NOT NULL,
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
    "lastProblem" TEXT,
    "lastProblemAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "Link_rpcUrl_key" ON "Link"("rpcUrl");

-- CreateIndex
CREATE UNIQUE INDEX "Link_remoteAppId_key" ON "Link"("remoteAppId");

-- CreateIndex
CREATE UNIQUE INDEX "Link_inConsumerKey_key" ON "Link"("inConsumerKey");

-- CreateIndex
CREATE INDEX "Link_type_primary_idx" ON "Link"("type", "primary");

-- CreateIndex
CREATE INDEX "Link_name_idx" ON "Link"("name");

