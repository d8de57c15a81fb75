-- Plain 2LO (as the link's fixed remote user) may be opened to every signed-in user, per link.
-- A column added in place (same result as Prisma's table rebuild, without copying the table).
ALTER TABLE "Link" ADD COLUMN "out2loUsers" BOOLEAN NOT NULL DEFAULT false;
