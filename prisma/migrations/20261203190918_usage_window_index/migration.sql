-- CreateIndex
CREATE INDEX "UsageCounter_day_grantType_outcome_applicationId_error_count_idx" ON "UsageCounter"("day", "grantType", "outcome", "applicationId", "error", "count");
