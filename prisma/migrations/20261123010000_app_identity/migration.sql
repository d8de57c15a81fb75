-- CreateTable
CREATE TABLE "AppIdentity" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "instanceId" TEXT NOT NULL,
    "consumerKey" TEXT NOT NULL,
    "consumerName" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "privateKeySecretId" TEXT NOT NULL,
    "publicKeyPem" TEXT NOT NULL,
    "keyCreatedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE UNIQUE INDEX "AppIdentity_instanceId_key" ON "AppIdentity"("instanceId");

-- CreateIndex
CREATE UNIQUE INDEX "AppIdentity_consumerKey_key" ON "AppIdentity"("consumerKey");

