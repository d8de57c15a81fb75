-- The next check's time and the failures in a row (issue 22); see the SQLite twin.
-- AlterTable
ALTER TABLE "LinkStatus" ADD COLUMN     "failedChecks" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "nextCheckAt" TIMESTAMP(3);
