/**
 * Changes to applications. Each one validates its input with the shared schema first, then writes
 * the change and its audit row in one transaction. A new client secret is returned exactly once;
 * only its SHA-256 digest and last four characters are stored.
 *
 * The "before" an audit row records is read inside that transaction, after taking the
 * application's row lock (lockedBefore), so two admins saving at once are recorded one after the
 * other: each entry's before is the previous entry's after.
 */
import { recordAudit, diffFields, type Actor, type Transaction } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { credentialHint, generateClientId, generateCredential, hashCredential } from "../oauth/secrets.ts";
import { customFieldPrefix, metadataWith } from "./custom-fields.ts";
import { columnsFrom, comparableSettings, relationsFrom, settingsOf } from "./fields.ts";
import { applicationInclude, toApplication, type Application } from "./model.ts";
import { findApplication } from "./queries.ts";
import { scopeCatalogue } from "../scopes/catalogue.ts";
import { parseApplicationInput, type ApplicationInput, type FieldErrors } from "./schema.ts";

/** Built-in fields by key and custom ones as "fields." + key, sets sorted: what the audit trail compares. */
function comparable(input: ApplicationInput): Record<string, unknown> {
  const values = comparableSettings(input);
  for (const [key, value] of Object.entries(input.fields)) {
    values[`${customFieldPrefix}${key}`] = Array.isArray(value) ? [...value].sort() : value;
  }
  return values;
}

export class ApplicationNotFoundError extends Error {
  constructor(id: string) {
    super(`No application with id ${id}`);
  }
}

export type Saved =
  | { ok: true; application: Application; /** Present only when a new secret was issued. */ clientSecret?: string }
  | { ok: false; errors: FieldErrors };

function newSecret() {
  const secret = generateCredential("clientSecret");
  return {
    secret,
    columns: {
      clientSecretHash: hashCredential(secret),
      clientSecretHint: credentialHint(secret),
      clientSecretIssuedAt: new Date(),
    },
  };
}

const noSecret = { clientSecretHash: null, clientSecretHint: null, clientSecretIssuedAt: null };

/** Prisma's "record to update/delete does not exist": another request got there first. */
function isMissingRecord(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2025";
}

/**
 * The application as this transaction's change finds it, or not found. The first statement writes
 * the row without changing it (Prisma's own update would move updatedAt), so PostgreSQL holds the
 * row lock from here to the commit: a concurrent change to the same application waits for this one
 * to commit, and then reads what it wrote. (On SQLite a transaction already runs alone.)
 */
async function lockedBefore(tx: Transaction, id: string): Promise<Application> {
  const locked = await tx.$executeRaw`UPDATE "Application" SET "updatedAt" = "updatedAt" WHERE "id" = ${id}`;
  const before = locked === 1 ? await findApplication(tx, id) : null;
  if (!before) throw new ApplicationNotFoundError(id);
  return before;
}

async function storedMetadata(tx: Transaction, id: string): Promise<unknown> {
  return (await tx.application.findUnique({ where: { id }, select: { metadata: true } }))?.metadata ?? {};
}

/** Runs a write on an application that may be deleted concurrently, reporting that as not found. */
async function onExisting<T>(id: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isMissingRecord(error)) throw new ApplicationNotFoundError(id);
    throw error;
  }
}

export async function createApplication(
  db: Db,
  raw: unknown,
  actor: Actor,
  options: { ownerId?: string | null } = {},
): Promise<Saved> {
  const parsed = parseApplicationInput(raw, await scopeCatalogue(db).read());
  if (!parsed.ok) return parsed;
  const input = parsed.data;
  const credentials = input.clientType === "confidential" ? newSecret() : null;
  const relations = relationsFrom(input);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.application.create({
      data: {
        ...columnsFrom(input),
        metadata: metadataWith({}, input.fields) as object,
        ...(credentials?.columns ?? noSecret),
        clientId: generateClientId(),
        ownerId: options.ownerId ?? null,
        grantTypes: { create: relations.grantTypes },
        uris: { create: relations.uris },
        scopes: { create: relations.scopes },
      },
      include: applicationInclude,
    });
    await recordAudit(tx, actor, {
      action: "application.created",
      applicationId: created.id,
      details: { name: input.name, clientId: created.clientId, fields: input },
    });
    return created;
  });
  return { ok: true, application: toApplication(row), clientSecret: credentials?.secret };
}

/** The application changed after the admin's page was drawn: nothing was written. */
class ApplicationConflictError extends Error {
  constructor(readonly current: Application) {
    super(`Application ${current.id} changed since the version being edited`);
  }
}

type Updated = Saved | { ok: false; errors: FieldErrors; /** What it is now. */ conflict: Application };

/**
 * Saves an edit. With `expectedVersion` (the updatedAt the admin's form was drawn from) the write
 * is conditional: it happens only if the application is still at that version, checked under the
 * row lock in the same transaction as the write and its audit row, so a change made meanwhile (a
 * trust toggle in another tab, another admin's save) is never silently undone.
 */
export async function updateApplication(
  db: Db,
  id: string,
  raw: unknown,
  actor: Actor,
  options: { expectedVersion?: Date } = {},
): Promise<Updated> {
  const parsed = parseApplicationInput(raw, await scopeCatalogue(db).read());
  if (!parsed.ok) return parsed;
  const input = parsed.data;
  const relations = relationsFrom(input);
  let saved;
  try {
    saved = await onExisting(id, () => writeUpdate(db, id, input, relations, actor, options.expectedVersion));
  } catch (error) {
    if (error instanceof ApplicationConflictError) {
      const message = "This application changed after you opened this page. Nothing was saved.";
      return { ok: false, errors: { form: [message] }, conflict: error.current };
    }
    throw error;
  }
  return { ok: true, application: toApplication(saved.row), clientSecret: saved.credentials?.secret };
}

function writeUpdate(
  db: Db,
  id: string,
  input: ApplicationInput,
  relations: ReturnType<typeof relationsFrom>,
  actor: Actor,
  expectedVersion: Date | undefined,
) {
  return db.$transaction(async (tx) => {
    const before = await lockedBefore(tx, id);
    if (expectedVersion && before.updatedAt.getTime() !== expectedVersion.getTime()) {
      throw new ApplicationConflictError(before);
    }
    // Becoming confidential needs a secret; becoming public must drop the old one.
    const becameConfidential = before.clientType === "public" && input.clientType === "confidential";
    const credentials = becameConfidential ? newSecret() : null;
    const secretColumns = credentials ? credentials.columns : input.clientType === "public" ? noSecret : {};
    const changes = diffFields(comparable({ ...settingsOf(before), fields: before.fields }), comparable(input));
    await tx.applicationGrantType.deleteMany({ where: { applicationId: id } });
    await tx.applicationUri.deleteMany({ where: { applicationId: id } });
    await tx.applicationScope.deleteMany({ where: { applicationId: id } });
    const updated = await tx.application.update({
      where: { id },
      data: {
        ...columnsFrom(input),
        // Values of fields the config no longer declares stay as they were.
        metadata: metadataWith(await storedMetadata(tx, id), input.fields) as object,
        ...secretColumns,
        grantTypes: { create: relations.grantTypes },
        uris: { create: relations.uris },
        scopes: { create: relations.scopes },
      },
      include: applicationInclude,
    });
    if (Object.keys(changes).length > 0 || credentials) {
      await recordAudit(tx, actor, {
        action: "application.updated",
        applicationId: id,
        details: { name: input.name, changes, ...(credentials ? { secretIssued: true } : {}) },
      });
    }
    return { row: updated, credentials };
  });
}

export async function setApplicationTrusted(db: Db, id: string, trusted: boolean, actor: Actor): Promise<Application> {
  const row = await onExisting(id, () =>
    db.$transaction(async (tx) => {
      const before = await lockedBefore(tx, id);
      const updated = await tx.application.update({
        where: { id },
        data: { skipAuthorization: trusted },
        include: applicationInclude,
      });
      if (before.skipAuthorization !== trusted) {
        await recordAudit(tx, actor, {
          action: "application.trust_changed",
          applicationId: id,
          details: {
            name: before.name,
            changes: { skipAuthorization: { from: before.skipAuthorization, to: trusted } },
          },
        });
      }
      return updated;
    }),
  );
  return toApplication(row);
}

/** Issues a new secret; the old one stops working at once. Public clients have none to rotate. */
export async function rotateClientSecret(
  db: Db,
  id: string,
  actor: Actor,
): Promise<{ application: Application; clientSecret: string }> {
  const credentials = newSecret();
  const row = await onExisting(id, () =>
    db.$transaction(async (tx) => {
      const before = await lockedBefore(tx, id);
      if (before.clientType !== "confidential") throw new Error("Public clients have no secret to rotate");
      const updated = await tx.application.update({
        where: { id },
        data: credentials.columns,
        include: applicationInclude,
      });
      await recordAudit(tx, actor, {
        action: "application.secret_rotated",
        applicationId: id,
        details: {
          name: before.name,
          previousHint: before.clientSecretHint,
          newHint: credentials.columns.clientSecretHint,
        },
      });
      return updated;
    }),
  );
  return { application: toApplication(row), clientSecret: credentials.secret };
}

/** Deletes an application with its codes, tokens and consents. */
export async function deleteApplication(db: Db, id: string, actor: Actor): Promise<Application> {
  return onExisting(id, () =>
    db.$transaction(async (tx) => {
      const before = await lockedBefore(tx, id);
      await tx.application.delete({ where: { id } });
      await recordAudit(tx, actor, {
        action: "application.deleted",
        applicationId: id,
        details: { name: before.name, clientId: before.clientId },
      });
      return before;
    }),
  );
}
