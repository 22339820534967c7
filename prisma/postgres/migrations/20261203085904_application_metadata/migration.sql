-- AlterTable
ALTER TABLE "Application" ADD COLUMN     "metadata" JSONB NOT NULL DEFAULT '{}';
