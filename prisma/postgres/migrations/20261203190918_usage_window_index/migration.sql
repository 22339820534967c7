-- CreateIndex
CREATE INDEX "UsageCounter_day_grantType_outcome_applicationId_error_coun_idx" ON "UsageCounter"("day", "grantType", "outcome", "applicationId", "error", "count");
