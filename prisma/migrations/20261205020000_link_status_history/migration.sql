-- CreateTable
CREATE TABLE "LinkStatusChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "linkId" TEXT NOT NULL,
    "fromStatus" TEXT,
    "toStatus" TEXT NOT NULL,
    "cause" TEXT NOT NULL,
    "problem" TEXT,
    "source" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "LinkStatusChange_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LinkCheckRun" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "linkId" TEXT NOT NULL,
    "at" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ms" INTEGER NOT NULL,
    "status" TEXT NOT NULL,
    CONSTRAINT "LinkCheckRun_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "LinkDay" (
    "linkId" TEXT NOT NULL,
    "day" TEXT NOT NULL,
    "requestsOk" INTEGER NOT NULL DEFAULT 0,
    "requestsClientError" INTEGER NOT NULL DEFAULT 0,
    "requestsServerError" INTEGER NOT NULL DEFAULT 0,
    "requestsFailed" INTEGER NOT NULL DEFAULT 0,
    "checks" INTEGER,
    "checksFailed" INTEGER,
    "checkP50Ms" INTEGER,
    "checkP95Ms" INTEGER,

    PRIMARY KEY ("linkId", "day"),
    CONSTRAINT "LinkDay_linkId_fkey" FOREIGN KEY ("linkId") REFERENCES "Link" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "LinkStatusChange_linkId_at_idx" ON "LinkStatusChange"("linkId", "at");

-- CreateIndex
CREATE INDEX "LinkStatusChange_at_idx" ON "LinkStatusChange"("at");

-- CreateIndex
CREATE INDEX "LinkCheckRun_linkId_at_idx" ON "LinkCheckRun"("linkId", "at");

-- CreateIndex
CREATE INDEX "LinkCheckRun_at_idx" ON "LinkCheckRun"("at");

