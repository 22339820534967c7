-- CreateTable
CREATE TABLE "SecretHandoff" (
    "id" TEXT NOT NULL,
    "applicationId" TEXT NOT NULL,
    "actorId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "sealed" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SecretHandoff_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "SecretHandoff_applicationId_idx" ON "SecretHandoff"("applicationId");

-- CreateIndex
CREATE INDEX "SecretHandoff_expiresAt_idx" ON "SecretHandoff"("expiresAt");

-- AddForeignKey
ALTER TABLE "SecretHandoff" ADD CONSTRAINT "SecretHandoff_applicationId_fkey" FOREIGN KEY ("applicationId") REFERENCES "Application"("id") ON DELETE CASCADE ON UPDATE CASCADE;
