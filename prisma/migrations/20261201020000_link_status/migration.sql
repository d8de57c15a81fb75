-- Link status and diagnostics (issue 11). A link can be disabled (both directions stop, settings
-- kept). Each link's last diagnosis and what real traffic saw since live in "LinkStatus", a table
-- of its own without a CacheVersion trigger: recording a proxied success or an incoming call must
-- not empty the hot-read cache.
ALTER TABLE "Link" ADD COLUMN "disabled" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "LinkStatus" (
    "linkId" TEXT NOT NULL PRIMARY KEY,
    "status" TEXT NOT NULL DEFAULT 'UNCHECKED',
    "cause" TEXT NOT NULL DEFAULT '',
    "fix" TEXT NOT NULL DEFAULT '',
    "action" TEXT,
    "problem" TEXT,
    "checks" TEXT NOT NULL DEFAULT '[]',
    "checkedAt" DATETIME,
    "checkedById" TEXT,
    "trafficOkAt" DATETIME,
    "incomingOkAt" DATETIME,
    "incomingProblem" TEXT,
    "incomingProblemAt" DATETIME,
    CONSTRAINT "LinkStatus_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "LinkStatus_status_idx" ON "LinkStatus"("status");
CREATE INDEX "LinkStatus_checkedAt_idx" ON "LinkStatus"("checkedAt");
