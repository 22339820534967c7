-- CreateTable
CREATE TABLE "ClientAuthFailure" (
    "id" TEXT NOT NULL,
    "clientId" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "failedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ClientAuthFailure_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "ClientAuthFailure_clientId_source_failedAt_idx" ON "ClientAuthFailure"("clientId", "source", "failedAt");

-- CreateIndex
CREATE INDEX "ClientAuthFailure_source_failedAt_idx" ON "ClientAuthFailure"("source", "failedAt");

-- CreateIndex
CREATE INDEX "ClientAuthFailure_failedAt_idx" ON "ClientAuthFailure"("failedAt");
