-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_SignInFailure" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "email" TEXT NOT NULL,
    "source" TEXT NOT NULL DEFAULT '',
    "failedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO "new_SignInFailure" ("email", "failedAt", "id") SELECT "email", "failedAt", "id" FROM "SignInFailure";
DROP TABLE "SignInFailure";
ALTER TABLE "new_SignInFailure" RENAME TO "SignInFailure";
CREATE INDEX "SignInFailure_email_source_failedAt_idx" ON "SignInFailure"("email", "source", "failedAt");
CREATE INDEX "SignInFailure_source_failedAt_idx" ON "SignInFailure"("source", "failedAt");
CREATE INDEX "SignInFailure_failedAt_idx" ON "SignInFailure"("failedAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;
