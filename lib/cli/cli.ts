/**
 * The operator's command line (the counterpart of Django OAuth Toolkit's management commands).
 * Every command validates with the same schemas as the dashboard, prints a field's error and exits
 * non-zero on bad input, and prints JSON with --json for scripts (errors too, on stderr:
 * `{"errors":{"--flag":["message"]}}`).
 */
import { parseArgs } from "node:util";
import { cliActor } from "../audit/record.ts";
import { createApplication, deleteApplication, ApplicationNotFoundError } from "../applications/commands.ts";
import { customFieldEntries, customFieldPrefix } from "../applications/custom-fields.ts";
import { applicationFieldList, type ApplicationFieldKey } from "../applications/fields.ts";
import { findApplication, findApplicationByClientId, listApplications } from "../applications/queries.ts";
import type { Db } from "../db/client.ts";
import { keyEncryptionKey } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";
import type { PrivateKeyCipher } from "../oauth/oidc/keys.ts";
import { privateKeyCipher } from "../signing-keys/encryption.ts";
import { ForeignKeyEncryptionKey, rotateSigningKey } from "../signing-keys/rotate.ts";
import { createUser } from "../users/commands.ts";
import {
  clearTokens,
  defaultLockBudgetMs,
  maxBatchSize,
  parseBatchSize,
  type ClearedKind,
} from "../maintenance/clear-tokens.ts";
import { seedDemo } from "../maintenance/seed-demo.ts";
import { seedScale } from "../maintenance/seed-scale.ts";
import { parseDatabaseUrl } from "../db/url.ts";
import { backupCommand } from "./backup.ts";
import { hasNextPage } from "../pagination.ts";
import { listUsersCommand, resetPasswordCommand, setRoleCommand } from "./user-commands.ts";

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export interface CliOptions {
  /** Encrypts new signing keys; by default with this server's key-encryption key (settings). */
  cipher?: PrivateKeyCipher;
}

type Command = (db: Db, args: string[], io: Io, options: CliOptions) => Promise<number>;

const usage = `Usage: portcullis <command> [options]     (or: npm run cli -- <command> [options])

Commands:
  create-user --email E --password P [--admin] [--name N] [--json]
  list-users [--search TEXT] [--role admin|user] [--json]
  set-role --email E --role admin|user [--json]
      Refused when it would leave no enabled admin.
  reset-password --email E [--password P] [--json]
      Sets the password (a generated one, printed once, without --password); ends the user's
      sessions and revokes their tokens.
  create-application --name N --client-type confidential|public --grant-types a,b
      [--redirect-uris "u1 u2"] [--post-logout-redirect-uris "u1 u2"] [--allowed-origins "o1 o2"]
      [--scopes "s1 s2"] [--skip-authorization] [--algorithm none|RS256] [--no-pkce]
      [--access-token-lifetime S] [--refresh-token-lifetime S] [--introspect-any-token]
      [--logo-uri U] [--homepage-uri U] [--policy-uri U] [--tos-uri U] [--json]
      Every application field is a flag: its name in kebab case. Custom fields (portcullis.config.ts):
      --field key=value, repeated (a list field takes a,b).
  list-applications [--search TEXT] [--json]
  delete-application ID|CLIENT_ID [--json]
  clear-tokens [--batch-size N] [--json]
      Deletes expired or revoked tokens, expired codes (device codes too), expired consents,
      failed sign-ins too old to count for the sign-in throttle (and failed client
      authentications and wrong device user codes for theirs) and ended or expired sessions,
      at most N rows at a time (default 1000; fewer when a batch holds the write lock over
      ${defaultLockBudgetMs} ms); safe while the server runs. On PostgreSQL it runs below normal
      CPU priority.
  seed-demo [--json]
      Adds demo applications, users (passwords printed), tokens and a month of usage.
  seed-demo --scale [FACTOR] [--json]
      Fills the database like a large installation, for measuring (factor 1: 100,000
      applications and users, 1,250,000 tokens, 5,000,000 audit entries). Never on production.
  rotate-signing-key [--json]
      Stores a new ID token signing key, published at once and signing once every server has it;
      the current key signs until then and stays published until the ID tokens it signed expire.
  backup --to FILE [--json]
      SQLite: a consistent copy of the database, safe while the server runs. PostgreSQL: use pg_dump.`;

function printErrors(
  io: Io,
  errors: Partial<Record<string, string[]>>,
  flags: Record<string, string>,
  json: boolean,
): void {
  const byFlag = Object.entries(errors).map(([field, messages]) => [flags[field] ?? field, messages ?? []] as const);
  if (json) {
    io.err(JSON.stringify({ errors: Object.fromEntries(byFlag) }));
    return;
  }
  for (const [flag, messages] of byFlag) {
    for (const message of messages) io.err(`error: ${flag}: ${message}`);
  }
}

const createUserCommand: Command = async (db, args, io) => {
  const { values } = parseArgs({
    args,
    options: {
      email: { type: "string" },
      password: { type: "string" },
      name: { type: "string" },
      admin: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const result = await createUser(db, values, cliActor);
  if (!result.ok) {
    printErrors(io, result.errors, { email: "--email", password: "--password", name: "--name" }, values.json);
    return 1;
  }
  const { user } = result;
  io.out(
    values.json
      ? JSON.stringify({ id: user.id, email: user.email, name: user.name, role: user.role.toLowerCase() })
      : `Created ${user.role === "ADMIN" ? "admin" : "user"} ${user.email} (${user.id})`,
  );
  return 0;
};

/** "postLogoutRedirectUris" → "post-logout-redirect-uris": every application field is a flag. */
const flagName = (key: string) => key.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

/** Older, shorter spellings, still accepted. */
const flagAliases: Partial<Record<ApplicationFieldKey, string>> = { allowedScopes: "scopes" };

function applicationFlags(): Record<string, string> {
  return Object.fromEntries([
    ...applicationFieldList.map(({ key }) => [key, `--${flagAliases[key] ?? flagName(key)}`]),
    ...customFieldEntries().map(({ key }) => [key, `--field ${key.slice(customFieldPrefix.length)}`]),
  ]);
}

type FlagOptions = Record<string, { type: "string" | "boolean"; default?: boolean; multiple?: boolean }>;

const applicationOptions: FlagOptions = Object.fromEntries([
  ...applicationFieldList.flatMap(({ key, control }) => {
    const type = control.kind === "checkbox" ? ("boolean" as const) : ("string" as const);
    const alias = flagAliases[key];
    return [[flagName(key), { type }], ...(alias ? [[alias, { type }]] : [])] as const;
  }),
  ["no-pkce", { type: "boolean" as const }],
  ["field", { type: "string" as const, multiple: true }],
  ["json", { type: "boolean" as const, default: false }],
]);

/** The raw application input in the flags: lists split on commas or spaces, unset flags left out. */
function applicationInputFrom(
  values: Record<string, string | boolean | string[] | undefined>,
): Record<string, unknown> | { error: string } {
  const input: Record<string, unknown> = {};
  for (const { key, control } of applicationFieldList) {
    const alias = flagAliases[key];
    const value = values[flagName(key)] ?? (alias ? values[alias] : undefined);
    if (value === undefined) continue;
    const isList = control.kind === "lines" || control.kind === "choices";
    input[key] = isList && typeof value === "string" ? value.split(/[,\s]+/).filter(Boolean) : value;
  }
  if (values["no-pkce"] === true) input.pkceRequired = false;
  // --field key=value, for the deployer's custom fields (a manyOf field takes a comma-separated list).
  const custom = new Map(customFieldEntries().map((entry) => [entry.key.slice(customFieldPrefix.length), entry]));
  for (const assignment of (values.field as string[] | undefined) ?? []) {
    const equals = assignment.indexOf("=");
    const key = equals > 0 ? assignment.slice(0, equals) : "";
    const entry = custom.get(key);
    if (!entry) {
      const known = [...custom.keys()].join(", ") || "none are declared in portcullis.config.ts";
      return { error: `--field takes key=value with a custom field's key (${known}), not "${assignment}"` };
    }
    const value = assignment.slice(equals + 1);
    input[entry.key] = entry.control.kind === "choices" ? value.split(",").filter(Boolean) : value;
  }
  return input;
}

const createApplicationCommand: Command = async (db, args, io) => {
  const values = parseArgs({ args, options: applicationOptions }).values as Record<
    string,
    string | boolean | string[] | undefined
  >;
  const input = applicationInputFrom(values);
  if ("error" in input) {
    printErrors(io, { field: [String(input.error)] }, { field: "--field" }, values.json === true);
    return 2;
  }
  const result = await createApplication(db, input, cliActor);
  if (!result.ok) {
    printErrors(io, result.errors, applicationFlags(), values.json === true);
    return 1;
  }
  const { application, clientSecret } = result;
  if (values.json) {
    io.out(
      JSON.stringify({
        id: application.id,
        name: application.name,
        clientId: application.clientId,
        clientSecret: clientSecret ?? null,
        fields: application.fields,
      }),
    );
  } else {
    io.out(`Created ${application.name} (${application.id})`);
    io.out(`client_id:     ${application.clientId}`);
    if (clientSecret) io.out(`client_secret: ${clientSecret}\n(The secret is not stored and will not be shown again.)`);
  }
  return 0;
};

const listApplicationsCommand: Command = async (db, args, io) => {
  const { values } = parseArgs({
    args,
    options: { search: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const rows = [];
  for (let page = 1; ; page++) {
    const result = await listApplications(db, { search: values.search, sort: "name", page, pageSize: 100 });
    rows.push(...result.items);
    if (!hasNextPage(result)) break;
  }
  if (values.json) {
    io.out(JSON.stringify(rows.map((row) => ({ ...row, createdAt: row.createdAt.toISOString() }))));
  } else if (rows.length === 0) {
    io.out("No applications.");
  } else {
    for (const row of rows) {
      io.out(
        `${row.id}  ${row.clientId}  ${row.clientType.padEnd(12)}  ${row.skipAuthorization ? "trusted " : "        "}  ${row.name}  [${row.grantTypes.join(", ")}]`,
      );
    }
  }
  return 0;
};

const deleteApplicationCommand: Command = async (db, args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false } },
  });
  const id = positionals[0];
  if (!id || positionals.length > 1) {
    io.err("error: delete-application takes exactly one application ID or client ID");
    return 2;
  }
  const notFound = () => {
    const message = `no application with ID or client ID ${id}`;
    io.err(values.json ? JSON.stringify({ errors: { ID: [message] } }) : `error: ${message}`);
    return 1;
  };
  // The ID the dashboard and list-applications show, or the client_id a developer has at hand.
  const target = (await findApplication(db, id)) ?? (await findApplicationByClientId(db, id));
  if (!target) return notFound();
  try {
    const application = await deleteApplication(db, target.id, cliActor);
    io.out(
      values.json
        ? JSON.stringify({ deleted: application.id, name: application.name })
        : `Deleted ${application.name} (${application.id})`,
    );
    return 0;
  } catch (error) {
    if (error instanceof ApplicationNotFoundError) return notFound();
    throw error;
  }
};

const clearedLabels: Record<ClearedKind, string> = {
  accessTokens: "access tokens",
  refreshTokens: "refresh tokens",
  authorizationCodes: "authorization codes",
  deviceCodes: "expired device codes",
  consents: "consents",
  signInFailures: "failed sign-ins past the throttle's window",
  clientAuthFailures: "failed client authentications past their limit's window",
  userCodeFailures: "wrong device user codes past their limit's window",
  sessions: "ended or expired sessions",
  passwordResetTokens: "expired password reset links",
};

const clearTokensCommand: Command = async (db, args, io) => {
  const { values } = parseArgs({
    args,
    options: { "batch-size": { type: "string" }, json: { type: "boolean", default: false } },
  });
  const batchSize = parseBatchSize(values["batch-size"]);
  if (batchSize === null) {
    io.err(`error: --batch-size: must be a whole number from 1 to ${maxBatchSize}`);
    return 1;
  }
  const counts = await clearTokens(db, { batchSize, lockBudgetMs: defaultLockBudgetMs });
  if (values.json) {
    io.out(JSON.stringify({ deleted: counts, batchSize }));
  } else {
    for (const kind of Object.keys(clearedLabels) as ClearedKind[]) {
      io.out(`Deleted ${counts[kind].toLocaleString("en")} ${clearedLabels[kind]}`);
    }
  }
  return 0;
};

const seedDemoCommand: Command = async (db, args, io) => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: "boolean", default: false }, scale: { type: "boolean", default: false } },
  });
  if (values.scale) return seedScaleCommand(db, positionals, values.json, io);
  if (positionals.length > 0) {
    io.err(`error: seed-demo: unexpected "${positionals[0]}"`);
    return 2;
  }
  const result = await seedDemo(db, cliActor);
  if (values.json) {
    io.out(JSON.stringify(result));
    return 0;
  }
  if (!result.seeded) {
    io.out(result.reason);
    return 0;
  }
  io.out("Demo data added.\n\nUsers (non-admin; the passwords are not stored and will not be shown again):");
  for (const user of result.users) io.out(`  ${user.email.padEnd(26)} ${user.password}`);
  io.out("\nApplications:");
  for (const app of result.applications) {
    io.out(`  ${app.name} (${app.clientType}${app.trusted ? ", trusted" : ""}: ${app.grantTypes.join(", ")})`);
    io.out(`    client_id:     ${app.clientId}`);
    if (app.clientSecret) io.out(`    client_secret: ${app.clientSecret}`);
  }
  io.out(
    `\n${result.consents} consents, ${result.accessTokens} access tokens, ${result.refreshTokens} refresh tokens, ` +
      `${result.usage.days} days of usage (${result.usage.issued.toLocaleString("en")} issued, ${result.usage.failed.toLocaleString("en")} failed).`,
  );
  return 0;
};

async function seedScaleCommand(db: Db, positionals: string[], json: boolean, io: Io): Promise<number> {
  const factor = positionals.length === 0 ? 1 : Number(positionals[0]);
  if (positionals.length > 1 || !(factor > 0 && factor <= 10)) {
    io.err("error: seed-demo --scale takes one factor above 0 and at most 10, e.g. --scale 0.1");
    return 2;
  }
  const result = await seedScale(db, factor, json ? undefined : (line) => io.out(line));
  if (json) io.out(JSON.stringify(result));
  else if (!result.seeded) io.out(result.reason);
  else io.out("Seeded at scale.");
  return 0;
}

const rotateSigningKeyCommand: Command = async (db, args, io, options) => {
  const { values } = parseArgs({ args, options: { json: { type: "boolean", default: false } } });
  const cipher = options.cipher ?? privateKeyCipher(keyEncryptionKey(settings()));
  let rotation: Awaited<ReturnType<typeof rotateSigningKey>>;
  try {
    rotation = await rotateSigningKey(db, cipher, new Date(), cliActor);
  } catch (error) {
    if (!(error instanceof ForeignKeyEncryptionKey)) throw error;
    io.err(
      values.json ? JSON.stringify({ errors: { "rotate-signing-key": [error.message] } }) : `error: ${error.message}`,
    );
    return 1;
  }
  const { created, retired, deleted } = rotation;
  if (values.json) {
    io.out(JSON.stringify({ created, retired, deleted }));
    return 0;
  }
  io.out(`Created signing key ${created.kid}: published now, signs from ${created.signsFrom.toISOString()}`);
  for (const key of retired) {
    io.out(
      `Retired signing key ${key.kid}: signs until ${key.signsUntil.toISOString()}, published until ${key.publishedUntil.toISOString()}`,
    );
  }
  if (deleted > 0) io.out(`Deleted ${deleted} signing key(s) retired earlier and no longer published`);
  return 0;
};

const commands: Record<string, Command> = {
  "create-user": createUserCommand,
  "create-application": createApplicationCommand,
  "list-applications": listApplicationsCommand,
  "delete-application": deleteApplicationCommand,
  "clear-tokens": clearTokensCommand,
  "seed-demo": seedDemoCommand,
  "rotate-signing-key": rotateSigningKeyCommand,
  "list-users": listUsersCommand,
  "set-role": setRoleCommand,
  "reset-password": resetPasswordCommand,
  backup: (_db, args, io) => backupCommand(parseDatabaseUrl(settings().databaseUrl), args, io),
};

/** Runs one command; returns the process exit code. */
export async function runCli(db: Db, argv: string[], io: Io, options: CliOptions = {}): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "help" || name === "--help" || name === "-h") {
    io.out(usage);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.err(`error: unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  try {
    return await command(db, args, io, options);
  } catch (error) {
    // parseArgs rejects unknown or malformed flags with a readable message.
    if (error instanceof TypeError && "code" in error && String(error.code).startsWith("ERR_PARSE_ARGS")) {
      io.err(`error: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
