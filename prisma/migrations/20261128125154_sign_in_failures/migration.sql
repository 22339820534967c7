-- CreateTable
CREATE TABLE "SignInFailure" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "failedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "SignInFailure_email_failedAt_idx" ON "SignInFailure"("email", "failedAt");

-- CreateIndex
CREATE INDEX "SignInFailure_failedAt_idx" ON "SignInFailure"("failedAt");
