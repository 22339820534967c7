/**
 * The admins' changes to the scope catalogue (/admin/scopes). Each writes its audit row in the same
 * transaction, and this process forgets the catalogue it holds once the change commits (other
 * processes hear of it as lib/scopes/catalogue.ts says).
 *
 * What a change may not do:
 * - the protocol's scopes (openid, profile, email, offline_access) keep their names and cannot be
 *   deleted: clients, the ID token's claims and refresh tokens depend on them; their descriptions
 *   and default flag are editable;
 * - a scope that applications list among their allowed scopes cannot be deleted or renamed: the
 *   answer names those applications, and the admin removes it from them first (otherwise their
 *   saved registrations would hold a scope the catalogue no longer has);
 * - a scope users have granted may be deleted: their consents and tokens are left as they are
 *   (tokens keep it until they expire; Connected apps shows its bare name), and no client can
 *   request it any more. The delete confirmation says how many users granted it.
 */
import { z } from "zod";
import { recordAudit, type Actor, type Transaction } from "../audit/record.ts";
import type { Db } from "../db/client.ts";
import { isScopeToken } from "../oauth/scope.ts";
import { isProtocolScope, scopeCatalogue } from "./catalogue.ts";
import { applicationsAllowing, type ScopeRecord } from "./queries.ts";

export type ScopeFieldErrors = Partial<Record<"name" | "description" | "isDefault" | "form", string[]>>;

export interface ScopeInput {
  name: string;
  description: string;
  isDefault: boolean;
}

const scopeInputSchema = z.object({
  name: z
    .string({ error: "Enter a name" })
    .trim()
    .min(1, "Enter a name")
    .max(100, "Use at most 100 characters")
    .refine(isScopeToken, 'Use printable ASCII without spaces, " or \\ (RFC 6749 §3.3)'),
  description: z
    .string({ error: "Enter a description" })
    .trim()
    .min(1, "Enter a description: the consent screen shows it to users")
    .max(200, "Use at most 200 characters"),
  isDefault: z.boolean().default(false),
});

export function parseScopeInput(
  raw: unknown,
): { ok: true; data: ScopeInput } | { ok: false; errors: ScopeFieldErrors } {
  const parsed = scopeInputSchema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: ScopeFieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = (issue.path[0] as keyof ScopeFieldErrors | undefined) ?? "form";
    (errors[field] ??= []).push(issue.message);
  }
  return { ok: false, errors };
}

export class ScopeNotFoundError extends Error {
  constructor(id: string) {
    super(`No scope with id ${id}`);
  }
}

const scopeSelect = { id: true, name: true, description: true, isDefault: true, createdAt: true, updatedAt: true };

export type SavedScope = { ok: true; scope: ScopeRecord } | { ok: false; errors: ScopeFieldErrors };
export type UpdatedScope =
  SavedScope | { ok: false; errors: ScopeFieldErrors; /** What it is now. */ conflict: ScopeRecord };
export type DeletedScope = { ok: true; scope: ScopeRecord } | { ok: false; message: string };

/** A unique constraint refused the write (Prisma's P2002). */
function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === "P2002";
}

const taken = (name: string): ScopeFieldErrors => ({ name: [`A scope named ${name} already exists`] });

function inUse(name: string, apps: { name: string }[], doing: string): string {
  const names = apps.map((app) => app.name);
  const listed = names.length > 3 ? `${names.slice(0, 3).join(", ")} and ${names.length - 3} more` : names.join(", ");
  return `${name} cannot be ${doing}: ${apps.length === 1 ? "the application" : "the applications"} ${listed} allow${
    apps.length === 1 ? "s" : ""
  } it. Remove it from their allowed scopes first.`;
}

export async function createScope(db: Db, raw: unknown, actor: Actor): Promise<SavedScope> {
  const parsed = parseScopeInput(raw);
  if (!parsed.ok) return parsed;
  const input = parsed.data;
  try {
    const scope = await db.$transaction(async (tx) => {
      const created = await tx.scope.create({ data: input, select: scopeSelect });
      await recordAudit(tx, actor, { action: "scope.created", details: { ...input } });
      return created;
    });
    return { ok: true, scope };
  } catch (error) {
    if (isUniqueViolation(error)) return { ok: false, errors: taken(input.name) };
    throw error;
  } finally {
    scopeCatalogue(db).forget();
  }
}

/** Locks the scope's row until the transaction ends (as an application's edit does), and reads it. */
async function lockedScope(tx: Transaction, id: string): Promise<ScopeRecord> {
  const locked = await tx.$executeRaw`UPDATE "Scope" SET "updatedAt" = "updatedAt" WHERE "id" = ${id}`;
  const before = locked === 1 ? await tx.scope.findUnique({ where: { id }, select: scopeSelect }) : null;
  if (!before) throw new ScopeNotFoundError(id);
  return before;
}

class ScopeConflict extends Error {
  constructor(readonly current: ScopeRecord) {
    super("The scope changed since the version being edited");
  }
}

class ScopeRefusal extends Error {
  constructor(readonly errors: ScopeFieldErrors) {
    super("refused");
  }
}

/**
 * Saves an edit. With `expectedVersion` (the updatedAt the admin's form was drawn from) it happens
 * only if the scope is still at that version, checked under the row lock in the write's transaction.
 */
export async function updateScope(
  db: Db,
  id: string,
  raw: unknown,
  actor: Actor,
  { expectedVersion }: { expectedVersion?: Date } = {},
): Promise<UpdatedScope> {
  const parsed = parseScopeInput(raw);
  if (!parsed.ok) return parsed;
  const input = parsed.data;
  try {
    const scope = await db.$transaction(async (tx) => {
      const before = await lockedScope(tx, id);
      if (expectedVersion && before.updatedAt.getTime() !== expectedVersion.getTime()) throw new ScopeConflict(before);
      if (input.name !== before.name) {
        if (isProtocolScope(before.name))
          throw new ScopeRefusal({ name: [`${before.name} is a protocol scope: its name cannot change`] });
        const apps = await applicationsAllowing(tx, before.name);
        if (apps.length > 0) throw new ScopeRefusal({ name: [inUse(before.name, apps, "renamed")] });
      }
      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const key of ["name", "description", "isDefault"] as const)
        if (before[key] !== input[key]) changes[key] = { from: before[key], to: input[key] };
      if (Object.keys(changes).length === 0) return before;
      const updated = await tx.scope.update({ where: { id }, data: input, select: scopeSelect });
      await recordAudit(tx, actor, { action: "scope.updated", details: { name: input.name, changes } });
      return updated;
    });
    return { ok: true, scope };
  } catch (error) {
    if (error instanceof ScopeConflict) {
      return {
        ok: false,
        errors: { form: ["This scope changed after you opened this page. Nothing was saved."] },
        conflict: error.current,
      };
    }
    if (error instanceof ScopeRefusal) return { ok: false, errors: error.errors };
    if (isUniqueViolation(error)) return { ok: false, errors: taken(input.name) };
    throw error;
  } finally {
    scopeCatalogue(db).forget();
  }
}

export async function deleteScope(db: Db, id: string, actor: Actor): Promise<DeletedScope> {
  try {
    const scope = await db.$transaction(async (tx) => {
      const before = await lockedScope(tx, id);
      if (isProtocolScope(before.name))
        throw new ScopeRefusal({ form: [`${before.name} is a protocol scope: it cannot be deleted`] });
      const apps = await applicationsAllowing(tx, before.name);
      if (apps.length > 0) throw new ScopeRefusal({ form: [inUse(before.name, apps, "deleted")] });
      await tx.scope.delete({ where: { id } });
      await recordAudit(tx, actor, {
        action: "scope.deleted",
        details: { name: before.name, description: before.description, isDefault: before.isDefault },
      });
      return before;
    });
    return { ok: true, scope };
  } catch (error) {
    if (error instanceof ScopeRefusal) return { ok: false, message: error.errors.form!.join(" ") };
    throw error;
  } finally {
    scopeCatalogue(db).forget();
  }
}

/** A scope form's fields as posted (the checkbox is present only when ticked). */
export function scopeValuesFrom(form: FormData): ScopeInput {
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : "";
  };
  return { name: text("name"), description: text("description"), isDefault: form.get("isDefault") !== null };
}

export function scopeValuesOf(scope: ScopeRecord): ScopeInput {
  return { name: scope.name, description: scope.description, isDefault: scope.isDefault };
}

/** The values a form showed, as it handed them back (lib/web/version-fields.ts seenValuesOf). */
export function seenScopeValues(seen: Record<string, unknown>): ScopeInput {
  return {
    name: typeof seen.name === "string" ? seen.name : "",
    description: typeof seen.description === "string" ? seen.description : "",
    isDefault: seen.isDefault === true,
  };
}

const fieldLabels = { name: "Name", description: "Description", isDefault: "Default scope" } as const;

/** The labels of the fields whose stored values differ from those a form showed. */
export function changedScopeFields(seen: ScopeInput, current: ScopeInput): string[] {
  return (Object.keys(fieldLabels) as (keyof ScopeInput)[])
    .filter((key) => seen[key] !== current[key])
    .map((key) => fieldLabels[key]);
}
