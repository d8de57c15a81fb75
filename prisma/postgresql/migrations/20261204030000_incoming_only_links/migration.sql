-- An external application that only calls in has no RPC URL (issue 24); see the SQLite twin.
-- AlterTable
ALTER TABLE "Link" ALTER COLUMN "rpcUrl" DROP NOT NULL;

