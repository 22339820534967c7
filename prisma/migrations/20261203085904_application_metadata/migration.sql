-- Written by hand: Prisma's generated SQL rebuilt the whole table and wrote the JSON default
-- without quotes (DEFAULT {}), which SQLite refuses. Adding the column in place is equivalent.
-- AlterTable
ALTER TABLE "Application" ADD COLUMN "metadata" JSONB NOT NULL DEFAULT '{}';
