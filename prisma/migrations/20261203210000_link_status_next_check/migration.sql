-- A failed link is checked again soon, backing off to the normal interval (issue 22): the next check's
-- time and the failures in a row, on the status row so any instance holding the background lease runs it.
ALTER TABLE "LinkStatus" ADD COLUMN "nextCheckAt" DATETIME;
ALTER TABLE "LinkStatus" ADD COLUMN "failedChecks" INTEGER NOT NULL DEFAULT 0;
