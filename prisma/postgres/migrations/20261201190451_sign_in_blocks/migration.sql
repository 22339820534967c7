-- CreateTable
CREATE TABLE "SignInBlock" (
    "email" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInBlock_pkey" PRIMARY KEY ("email")
);

-- CreateIndex
CREATE INDEX "SignInBlock_startedAt_idx" ON "SignInBlock"("startedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_targetUserId_createdAt_idx" ON "AuditEvent"("targetUserId", "createdAt");
