-- Several instances on one database (issue 14): check values of what they must share (never the
-- secrets), and leases for work that runs on one instance at a time.
-- CreateTable
CREATE TABLE "SharedKeyCheck" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "value" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL PRIMARY KEY,
    "holder" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL
);

