-- A change counter for the hot-read cache (lib/fast-reads): bumped by every change to a table the
-- cache reads, and only those, so the nonce written by every incoming OAuth request no longer
-- empties the cache (issue 13). Triggers live in the database: every process and the admin CLI
-- bump it alike.
CREATE TABLE "CacheVersion" (
    "id" INTEGER NOT NULL PRIMARY KEY,
    "version" INTEGER NOT NULL
);
INSERT INTO "CacheVersion" ("id", "version") VALUES (1, 0);
CREATE TRIGGER "User_insert_cache_version" AFTER INSERT ON "User" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "User_update_cache_version" AFTER UPDATE ON "User" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "User_delete_cache_version" AFTER DELETE ON "User" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "ApiToken_insert_cache_version" AFTER INSERT ON "ApiToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "ApiToken_update_cache_version" AFTER UPDATE ON "ApiToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "ApiToken_delete_cache_version" AFTER DELETE ON "ApiToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "Link_insert_cache_version" AFTER INSERT ON "Link" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "Link_update_cache_version" AFTER UPDATE ON "Link" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "Link_delete_cache_version" AFTER DELETE ON "Link" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "AppIdentity_insert_cache_version" AFTER INSERT ON "AppIdentity" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "AppIdentity_update_cache_version" AFTER UPDATE ON "AppIdentity" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "AppIdentity_delete_cache_version" AFTER DELETE ON "AppIdentity" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuthAccessToken_insert_cache_version" AFTER INSERT ON "OAuthAccessToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuthAccessToken_update_cache_version" AFTER UPDATE ON "OAuthAccessToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuthAccessToken_delete_cache_version" AFTER DELETE ON "OAuthAccessToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "VaultSecret_insert_cache_version" AFTER INSERT ON "VaultSecret" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "VaultSecret_update_cache_version" AFTER UPDATE ON "VaultSecret" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "VaultSecret_delete_cache_version" AFTER DELETE ON "VaultSecret" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuthIssuedToken_insert_cache_version" AFTER INSERT ON "OAuthIssuedToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuthIssuedToken_update_cache_version" AFTER UPDATE ON "OAuthIssuedToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
CREATE TRIGGER "OAuthIssuedToken_delete_cache_version" AFTER DELETE ON "OAuthIssuedToken" BEGIN UPDATE "CacheVersion" SET "version" = "version" + 1 WHERE "id" = 1; END;
