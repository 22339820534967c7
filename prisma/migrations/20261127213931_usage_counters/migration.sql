-- CreateTable
CREATE TABLE "UsageCounter" (
    "day" TEXT NOT NULL,
    "applicationId" TEXT NOT NULL,
    "grantType" TEXT NOT NULL,
    "outcome" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("day", "applicationId", "grantType", "outcome")
);

-- CreateIndex
CREATE INDEX "UsageCounter_applicationId_day_idx" ON "UsageCounter"("applicationId", "day");
