-- Several instances on one database (issue 14): check values of what they must share (never the
-- secrets), and leases for work that runs on one instance at a time.
-- CreateTable
CREATE TABLE "SharedKeyCheck" (
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SharedKeyCheck_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "Lease" (
    "name" TEXT NOT NULL,
    "holder" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Lease_pkey" PRIMARY KEY ("name")
);

