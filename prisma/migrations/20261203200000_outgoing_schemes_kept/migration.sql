-- Each outgoing scheme keeps its settings while another is in use (issue 22): the fixed schemes not
-- in use, with the vault ids of their secrets. Added in place (a table rebuild would drop the Link
-- table's CacheVersion triggers).
ALTER TABLE "Link" ADD COLUMN "outSchemeKept" TEXT;
