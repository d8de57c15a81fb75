-- The settings of the outgoing schemes not in use (issue 22); see the SQLite twin.
-- AlterTable
ALTER TABLE "Link" ADD COLUMN     "outSchemeKept" TEXT;
