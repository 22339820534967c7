-- CreateTable
CREATE TABLE "SecretHandoff" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "applicationId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "expiresAt" DATETIME NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "SecretHandoff_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "SecretHandoff_applicationId_idx" ON "SecretHandoff"("applicationId");

-- CreateIndex
CREATE INDEX "SecretHandoff_expiresAt_idx" ON "SecretHandoff"("expiresAt");
