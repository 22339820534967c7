-- CreateTable
CREATE TABLE "SignInBlock" (
    "email" TEXT NOT NULL PRIMARY KEY,
    "startedAt" DATETIME NOT NULL
);

-- CreateIndex
CREATE INDEX "SignInBlock_startedAt_idx" ON "SignInBlock"("startedAt");

-- CreateIndex
CREATE INDEX "AuditEvent_targetUserId_createdAt_idx" ON "AuditEvent"("targetUserId", "createdAt");
