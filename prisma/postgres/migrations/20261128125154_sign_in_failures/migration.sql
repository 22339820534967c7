-- CreateTable
CREATE TABLE "SignInFailure" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "failedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInFailure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SignInFailure_email_failedAt_idx" ON "SignInFailure"("email", "failedAt");

-- CreateIndex
CREATE INDEX "SignInFailure_failedAt_idx" ON "SignInFailure"("failedAt");
