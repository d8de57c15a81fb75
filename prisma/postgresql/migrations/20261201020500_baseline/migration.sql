-- PostgreSQL starts here (issue 14): every table as the SQLite migrations up to 20261201020000_link_status
-- leave them, from `prisma migrate diff --from-empty --to-schema-datamodel`, plus the hot-read
-- cache's change counter. From here on both folders get each migration under the same name
-- (tests/database-schemas.test.ts fails when they drift).

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "username" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'USER',
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "sessionsValidAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "preview" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),

    CONSTRAINT "ApiToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LoginFailure" (
    "id" SERIAL NOT NULL,
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LoginFailure_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInSource" (
    "id" SERIAL NOT NULL,
    "username" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "lastSuccessAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInSource_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" TEXT,
    "actorUsername" TEXT NOT NULL,
    "via" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "targetLabel" TEXT,
    "before" TEXT,
    "after" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VaultSecret" (
    "id" TEXT NOT NULL,
    "purpose" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "VaultSecret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthNonce" (
    "consumerKey" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "timestamp" INTEGER NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthNonce_pkey" PRIMARY KEY ("consumerKey","nonce")
);

-- CreateTable
CREATE TABLE "AppIdentity" (
    "id" INTEGER NOT NULL,
    "instanceId" TEXT NOT NULL,
    "consumerKey" TEXT NOT NULL,
    "consumerName" TEXT NOT NULL,
    "description" TEXT NOT NULL DEFAULT '',
    "privateKeySecretId" TEXT NOT NULL,
    "publicKeyPem" TEXT NOT NULL,
    "keyCreatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AppIdentity_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Link" (
    "id" TEXT NOT NULL,
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
    "out2loUsers" BOOLEAN NOT NULL DEFAULT false,
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
    "lastProblemAt" TIMESTAMP(3),
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Link_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthRequestToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "bindingHash" TEXT NOT NULL,
    "returnTo" TEXT NOT NULL DEFAULT '/links',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthRequestToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthAccessToken" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "token" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "OAuthAccessToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthIssuedToken" (
    "id" TEXT NOT NULL,
    "linkId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "secretId" TEXT NOT NULL,
    "callback" TEXT,
    "verifierHash" TEXT,
    "userId" TEXT,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "OAuthIssuedToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CacheVersion" (
    "id" INTEGER NOT NULL,
    "version" INTEGER NOT NULL,

    CONSTRAINT "CacheVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LinkStatus" (
    "linkId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'UNCHECKED',
    "cause" TEXT NOT NULL DEFAULT '',
    "fix" TEXT NOT NULL DEFAULT '',
    "action" TEXT,
    "problem" TEXT,
    "checks" TEXT NOT NULL DEFAULT '[]',
    "checkedAt" TIMESTAMP(3),
    "checkedById" TEXT,
    "trafficOkAt" TIMESTAMP(3),
    "incomingOkAt" TIMESTAMP(3),
    "incomingProblem" TEXT,
    "incomingProblemAt" TIMESTAMP(3),

    CONSTRAINT "LinkStatus_pkey" PRIMARY KEY ("linkId")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_tokenHash_key" ON "ApiToken"("tokenHash");

-- CreateIndex
CREATE INDEX "ApiToken_userId_idx" ON "ApiToken"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiToken_userId_name_key" ON "ApiToken"("userId", "name");

-- CreateIndex
CREATE INDEX "LoginFailure_scope_key_createdAt_idx" ON "LoginFailure"("scope", "key", "createdAt");

-- CreateIndex
CREATE INDEX "LoginFailure_createdAt_idx" ON "LoginFailure"("createdAt");

-- CreateIndex
CREATE INDEX "SignInSource_lastSuccessAt_idx" ON "SignInSource"("lastSuccessAt");

-- CreateIndex
CREATE UNIQUE INDEX "SignInSource_username_ip_key" ON "SignInSource"("username", "ip");

-- CreateIndex
CREATE INDEX "AuditEvent_createdAt_idx" ON "AuditEvent"("createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_actorUsername_createdAt_idx" ON "AuditEvent"("actorUsername", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_action_createdAt_idx" ON "AuditEvent"("action", "createdAt");

-- CreateIndex
CREATE INDEX "VaultSecret_keyId_idx" ON "VaultSecret"("keyId");

-- CreateIndex
CREATE INDEX "OAuthNonce_timestamp_idx" ON "OAuthNonce"("timestamp");

-- CreateIndex
CREATE UNIQUE INDEX "AppIdentity_instanceId_key" ON "AppIdentity"("instanceId");

-- CreateIndex
CREATE UNIQUE INDEX "AppIdentity_consumerKey_key" ON "AppIdentity"("consumerKey");

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

-- CreateIndex
CREATE UNIQUE INDEX "OAuthIssuedToken_tokenHash_key" ON "OAuthIssuedToken"("tokenHash");

-- CreateIndex
CREATE INDEX "OAuthIssuedToken_linkId_idx" ON "OAuthIssuedToken"("linkId");

-- CreateIndex
CREATE INDEX "OAuthIssuedToken_userId_idx" ON "OAuthIssuedToken"("userId");

-- CreateIndex
CREATE INDEX "LinkStatus_status_idx" ON "LinkStatus"("status");

-- CreateIndex
CREATE INDEX "LinkStatus_checkedAt_idx" ON "LinkStatus"("checkedAt");

-- AddForeignKey
ALTER TABLE "ApiToken" ADD CONSTRAINT "ApiToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LinkStatus" ADD CONSTRAINT "LinkStatus_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- The hot-read cache's change counter (lib/db/cached-reads.ts): bumped in the same transaction as
-- every change to a table the cache reads, and only those, so an instance that reads the counter
-- before a cached answer never serves one older than the last commit, whichever instance made it.
INSERT INTO "CacheVersion" ("id", "version") VALUES (1, 0);

CREATE FUNCTION "applink_bump_cache_version"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "User_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "User" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "ApiToken_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "ApiToken" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "Link_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "Link" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "AppIdentity_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "AppIdentity" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "OAuthAccessToken_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "OAuthAccessToken" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "VaultSecret_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "VaultSecret" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
CREATE TRIGGER "OAuthIssuedToken_cache_version" AFTER INSERT OR UPDATE OR DELETE ON "OAuthIssuedToken" FOR EACH ROW EXECUTE FUNCTION "applink_bump_cache_version"();
