/**
 * What the server needs before it serves: the data folder, the database schema (pending migrations
 * applied), its generated secrets, an administrator to sign in with on first start, and the first
 * ID-token signing key (made here, before anything is served, so it may sign at once: see
 * lib/oauth/oidc/keys.ts), with every stored private key encrypted and readable.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { systemActor } from "../audit/record.ts";
import { keyEncryptionKey, sessionSecret } from "../config/secrets.ts";
import type { Settings } from "../config/settings.ts";
import { connect, type Db } from "../db/client.ts";
import { migrate, migrationsDirFor, type MigrationResult } from "../db/migrate.ts";
import { prismaOAuthStore } from "../db/oauth-store.ts";
import { parseDatabaseUrl, type DatabaseTarget } from "../db/url.ts";
import { describeUnusableKey, repairSigningKeys, type UnusableKey } from "../oauth/oidc/keys.ts";
import { seedScopeCatalogue } from "../scopes/catalogue.ts";
import { encryptStoredSigningKeys } from "../signing-keys/encrypt-stored.ts";
import { privateKeyCipher } from "../signing-keys/encryption.ts";
import { createUser } from "../users/commands.ts";
import { StartupError } from "./startup-errors.ts";

export const projectRoot = path.resolve(import.meta.dirname, "../..");

interface SeededAdmin {
  email: string;
  /** Present when generated here (it was not taken from the environment). */
  generatedPassword?: string;
}

/** Creates the first administrator when the database has none. */
async function seedAdmin(db: Db, settings: Settings): Promise<SeededAdmin | null> {
  if ((await db.user.count({ where: { role: "ADMIN" } })) > 0) return null;
  const generatedPassword = settings.adminPassword ? undefined : randomBytes(12).toString("base64url");
  const result = await createUser(
    db,
    {
      email: settings.adminEmail,
      password: settings.adminPassword ?? generatedPassword,
      name: "Administrator",
      admin: true,
    },
    systemActor,
  );
  if (!result.ok) {
    // Another instance starting at the same moment made it first.
    if ((await db.user.count({ where: { role: "ADMIN" } })) > 0) return null;
    const problems = Object.entries(result.errors).map(([field, messages]) => `${field} ${messages?.join(", ")}`);
    throw new Error(`Cannot create the first admin from PORTCULLIS_ADMIN_EMAIL/PASSWORD: ${problems.join("; ")}`);
  }
  return { email: result.user.email, generatedPassword };
}

export interface Prepared {
  migrations: MigrationResult;
  admin: SeededAdmin | null;
  /** Scopes inserted into the catalogue now (built-in ones or PORTCULLIS_SCOPES never seeded before). */
  scopesSeeded: string[];
  /**
   * PORTCULLIS_ADMIN_PASSWORD was set but not used: it only makes the first administrator, and
   * one exists. Never applied to an existing account (a leftover variable must not reset a password).
   */
  adminPasswordUnused: boolean;
  /**
   * Whether a signing key was made now: the first one, or one replacing keys this server cannot
   * read (false: a usable one was there, or another process made it).
   */
  signingKeyCreated: boolean;
  /** Private keys found in plaintext (stored by an earlier version) and encrypted now. */
  signingKeysEncrypted: number;
  /** Keys that should sign but cannot be read with this server's key-encryption key; now retired. */
  unusableSigningKeys: UnusableKey[];
}

/**
 * Whether anything goes into the data folder: generated secrets, or the SQLite database there.
 * With PostgreSQL and both secrets set, nothing does (a read-only container needs none).
 */
function needsDataDir(settings: Settings, target: DatabaseTarget): boolean {
  if (!settings.sessionSecret || !settings.keyEncryptionKey) return true;
  return target.provider === "sqlite" && isInside(settings.dataDir, target.file);
}

const isInside = (folder: string, file: string) => !path.relative(folder, file).startsWith("..");

/**
 * A SQLite database outside the data folder must be in a folder that exists: a typo in
 * DATABASE_URL would otherwise create an empty database somewhere nobody backs up.
 */
export function requireSqliteFolder(target: DatabaseTarget, settings: Pick<Settings, "dataDir">): void {
  if (target.provider !== "sqlite" || isInside(settings.dataDir, target.file)) return;
  const folder = path.dirname(target.file);
  if (!existsSync(folder))
    throw new StartupError(
      `The folder of the SQLite database in DATABASE_URL (${folder}) does not exist: create it, or fix DATABASE_URL.`,
    );
}

export async function prepare(settings: Settings): Promise<Prepared> {
  const target = parseDatabaseUrl(settings.databaseUrl);
  if (needsDataDir(settings, target)) {
    // The data folder holds the session secret, and with SQLite the signing keys: owner only.
    mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
    chmodSync(settings.dataDir, 0o700);
  }
  requireSqliteFolder(target, settings);
  sessionSecret(settings);
  const cipher = privateKeyCipher(keyEncryptionKey(settings));
  const migrations = await migrate(target, migrationsDirFor(target, projectRoot));
  // SQLite gives its -wal and -shm files the database file's permissions.
  if (target.provider === "sqlite") chmodSync(target.file, 0o600);
  const db = connect(target);
  try {
    const admin = await seedAdmin(db, settings);
    const scopesSeeded = await seedScopeCatalogue(db, settings.scopeSeed);
    const signingKeysEncrypted = await encryptStoredSigningKeys(db, cipher);
    const repair = await repairSigningKeys(prismaOAuthStore(db, { clientCache: false }), cipher, new Date());
    return {
      migrations,
      admin,
      scopesSeeded,
      adminPasswordUnused: admin === null && settings.adminPassword !== undefined,
      signingKeyCreated: repair.created,
      signingKeysEncrypted,
      unusableSigningKeys: repair.unusable,
    };
  } finally {
    await db.$disconnect();
  }
}

/** Human-readable lines about what prepare() did. */
export function describePrepared({
  migrations,
  admin,
  scopesSeeded,
  adminPasswordUnused,
  signingKeyCreated,
  signingKeysEncrypted,
  unusableSigningKeys,
}: Prepared): string[] {
  const lines: string[] = [];
  if (adminPasswordUnused)
    lines.push(
      "PORTCULLIS_ADMIN_PASSWORD is set but not used: it only creates the first administrator, and one exists. " +
        "To change a password: portcullis reset-password --email EMAIL [--password P].",
    );
  if (migrations.applied.length > 0)
    lines.push(`Applied ${migrations.applied.length} migration(s): ${migrations.applied.join(", ")}`);
  if (scopesSeeded.length > 0) lines.push(`Added to the scope catalogue: ${scopesSeeded.join(" ")}`);
  for (const name of migrations.modified) lines.push(`Warning: migration ${name} was changed after it was applied.`);
  if (signingKeysEncrypted > 0) lines.push(`Encrypted ${signingKeysEncrypted} stored signing key(s) at rest.`);
  for (const key of unusableSigningKeys) lines.push(`Warning: ${describeUnusableKey(key)}`);
  if (signingKeyCreated)
    lines.push(
      unusableSigningKeys.length > 0
        ? "Created a new ID token signing key."
        : "Created the first ID token signing key.",
    );
  if (admin) {
    lines.push("", "Created the first administrator:", `  Email:    ${admin.email}`);
    lines.push(
      admin.generatedPassword
        ? `  Password: ${admin.generatedPassword}   (shown once: sign in and keep it safe)`
        : "  Password: from PORTCULLIS_ADMIN_PASSWORD",
      "",
    );
  }
  return lines;
}
