-- DropIndex
DROP INDEX "Application_clientType_idx";

-- DropIndex
DROP INDEX "Application_skipAuthorization_idx";

-- DropIndex
DROP INDEX "AccessToken_expiresAt_idx";

-- DropIndex
DROP INDEX "Consent_applicationId_idx";

-- CreateIndex
CREATE INDEX "AccessToken_applicationId_expiresAt_revokedAt_idx" ON "AccessToken"("applicationId", "expiresAt", "revokedAt");

-- CreateIndex
CREATE INDEX "AccessToken_expiresAt_revokedAt_idx" ON "AccessToken"("expiresAt", "revokedAt");

-- CreateIndex
CREATE INDEX "Consent_applicationId_createdAt_idx" ON "Consent"("applicationId", "createdAt");
