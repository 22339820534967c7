-- DropIndex
DROP INDEX "SignInFailure_email_failedAt_idx";

-- AlterTable
ALTER TABLE "SignInFailure" ADD COLUMN     "source" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "SignInFailure_email_source_failedAt_idx" ON "SignInFailure"("email", "source", "failedAt");

-- CreateIndex
CREATE INDEX "SignInFailure_source_failedAt_idx" ON "SignInFailure"("source", "failedAt");
