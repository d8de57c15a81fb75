-- Addresses people signed in from successfully: failures elsewhere never delay them there (issue 10, finding 4).
CREATE TABLE "SignInSource" (
    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    "username" TEXT NOT NULL,
    "ip" TEXT NOT NULL,
    "lastSuccessAt" DATETIME NOT NULL
);

CREATE UNIQUE INDEX "SignInSource_username_ip_key" ON "SignInSource"("username", "ip");
CREATE INDEX "SignInSource_lastSuccessAt_idx" ON "SignInSource"("lastSuccessAt");
