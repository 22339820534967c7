-- CreateTable
CREATE TABLE "ClientAuthFailure" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "clientId" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "failedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "ClientAuthFailure_clientId_source_failedAt_idx" ON "ClientAuthFailure"("clientId", "source", "failedAt");

-- CreateIndex
CREATE INDEX "ClientAuthFailure_source_failedAt_idx" ON "ClientAuthFailure"("source", "failedAt");

-- CreateIndex
CREATE INDEX "ClientAuthFailure_failedAt_idx" ON "ClientAuthFailure"("failedAt");
