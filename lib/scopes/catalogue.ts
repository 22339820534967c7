/**
 * The scope catalogue as everything reads it: authorize, token, device authorization, discovery's
 * scopes_supported, the application form's validation, the consent screen and Connected apps. It
 * lives in the database (the Scope table, edited on /admin/scopes); PORTCULLIS_SCOPES and the
 * built-in scopes only seed it (seedScopeCatalogue, at start-up).
 *
 * The token endpoint reads it on every request, so each process keeps it in memory and reads it
 * again only when it may have changed:
 * - PostgreSQL: a trigger NOTIFYs `portcullis_scope_change` when a change commits (migration
 *   scope_change_notify), from any instance, the CLI or plain SQL; the listening machinery is the
 *   client cache's (lib/db/client-cache.ts), with its heartbeat, its maxAge and its rule that nothing
 *   is kept while the listener is down. PORTCULLIS_CLIENT_CACHE=off (PgBouncer in transaction
 *   mode) turns this cache off too: then every read is a query.
 * - SQLite: `PRAGMA data_version` on the process's connection, which changes when another
 *   connection (another process sharing the file) commits anything; then the catalogue is read
 *   again. The pragma touches no table but still costs ~9 µs here (a 6-row SELECT ~20 µs), so it is
 *   asked at most every sqliteCheckMs: another process's edit shows within that. This process's own
 *   edits go through the same connection (which data_version does not count), so the commands call
 *   forget() once they commit, and they show at once.
 */
import type BetterSqlite3 from "better-sqlite3";
import { systemActor } from "../audit/actor.ts";
import { recordAudit } from "../audit/record.ts";
import { notifiedClientCache, type ClientCache } from "../db/client-cache.ts";
import { settings } from "../config/settings.ts";
import { driverOf, type Db } from "../db/client.ts";
import { lockForTransaction } from "../db/locks.ts";
import type { ScopeCatalogue } from "../oauth/scope.ts";

export const scopeChangeChannel = "portcullis_scope_change";

/** OpenID Connect's and RFC 6749's own scopes: clients and code rely on these names. */
export const protocolScopes = ["openid", "profile", "email", "offline_access"] as const;

export function isProtocolScope(name: string): boolean {
  return (protocolScopes as readonly string[]).includes(name);
}

export interface CatalogueReader {
  read(): Promise<ScopeCatalogue>;
  /** Forget what is held (after this process changed the catalogue). */
  forget(): void;
}

/** The order everything shows scopes in: the protocol's first (who you are), then by name. */
function rank(name: string): number {
  const index = (protocolScopes as readonly string[]).indexOf(name);
  return index === -1 ? protocolScopes.length : index;
}

export function compareScopeNames(a: string, b: string): number {
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

/** The catalogue as stored now (no cache). */
export async function loadCatalogue(db: Db): Promise<ScopeCatalogue> {
  const rows = await db.scope.findMany({ select: { name: true, description: true, isDefault: true } });
  rows.sort((a, b) => compareScopeNames(a.name, b.name));
  const catalogue: ScopeCatalogue = {};
  for (const { name, description, isDefault } of rows) catalogue[name] = { description, isDefault };
  return catalogue;
}

/** How often, at most, a SQLite process asks whether another process wrote (see above). */
export const sqliteCheckMs = 250;

function sqliteReader(db: Db, connection: BetterSqlite3.Database, outside: <T>(run: () => T) => Promise<T>) {
  const dataVersion = connection.prepare("PRAGMA data_version").pluck().safeIntegers(false);
  let held: { catalogue: ScopeCatalogue; version: number; checkedAt: number } | null = null;
  let generation = 0;
  return {
    async read() {
      const now = Date.now();
      if (held && now - held.checkedAt < sqliteCheckMs) return held.catalogue;
      const version = await outside(() => dataVersion.get() as number);
      if (held && held.version === version) {
        held.checkedAt = now;
        return held.catalogue;
      }
      const before = generation;
      const catalogue = await loadCatalogue(db);
      // Read at or after `version`: a commit meanwhile changes data_version, so the next read looks again.
      if (generation === before) held = { catalogue, version, checkedAt: now };
      return catalogue;
    },
    forget() {
      generation++;
      held = null;
    },
  };
}

function postgresReader(db: Db, cache: ClientCache<ScopeCatalogue> | null): CatalogueReader {
  const load = () => loadCatalogue(db);
  return {
    async read() {
      return cache ? ((await cache.read("catalogue", load)) ?? {}) : load();
    },
    forget: () => cache?.forget(),
  };
}

/** Held on the client itself: Next's chunks may each have their own copy of this module's state. */
const readerKey = Symbol.for("portcullis.scopes.catalogue");

/**
 * This client's catalogue reader, one per client (and so per process in the server). Without the
 * client cache (PORTCULLIS_CLIENT_CACHE=off) it reads the database every time on PostgreSQL.
 */
export function scopeCatalogue(db: Db): CatalogueReader {
  const holder = db as unknown as Record<symbol, CatalogueReader | undefined>;
  const existing = holder[readerKey];
  if (existing) return existing;
  let inner: CatalogueReader | undefined;
  let ready: Promise<CatalogueReader> | undefined;
  const resolve = () =>
    (ready ??= driverOf(db).then(
      (driver) =>
        (inner = !driver
          ? { read: () => loadCatalogue(db), forget: () => {} }
          : driver.provider === "sqlite"
            ? sqliteReader(db, driver.connection, driver.outsideTransactions)
            : postgresReader(
                db,
                settings().clientCache
                  ? notifiedClientCache<ScopeCatalogue>(driver.pool, { channel: scopeChangeChannel })
                  : null,
              )),
      (error: unknown) => {
        ready = undefined;
        throw error;
      },
    ));
  const reader: CatalogueReader = {
    async read() {
      return (inner ?? (await resolve())).read();
    },
    forget: () => inner?.forget(),
  };
  Object.defineProperty(db, readerKey, { value: reader, enumerable: false });
  return reader;
}

/**
 * Inserts the seed's scopes (the built-in ones and PORTCULLIS_SCOPES) that it has never inserted:
 * a scope already there is left as the admin made it, and one the seed inserted once and an admin
 * then deleted or renamed is not inserted again. Returns the names inserted.
 */
export async function seedScopeCatalogue(db: Db, seed: ScopeCatalogue): Promise<string[]> {
  // Every start after the first: one read, no write transaction for instances starting together to queue on.
  const names = Object.keys(seed);
  const known = await db.seededScope.count({ where: { name: { in: names } } });
  if (known === names.length) return [];
  const inserted = await db.$transaction(
    async (tx) => {
      await lockForTransaction(db, tx, "portcullis.scope-seed");
      const seeded = new Set((await tx.seededScope.findMany({ select: { name: true } })).map((row) => row.name));
      const fresh = Object.entries(seed).filter(([name]) => !seeded.has(name));
      if (fresh.length === 0) return [];
      const names = fresh.map(([name]) => name);
      const existing = new Set(
        (await tx.scope.findMany({ where: { name: { in: names } }, select: { name: true } })).map((row) => row.name),
      );
      const added: string[] = [];
      for (const [name, { description, isDefault }] of fresh) {
        if (!existing.has(name)) {
          await tx.scope.create({ data: { name, description, isDefault: isDefault ?? false } });
          added.push(name);
        }
        await tx.seededScope.create({ data: { name } });
      }
      if (added.length > 0) await recordAudit(tx, systemActor, { action: "scope.seeded", details: { names: added } });
      return added;
      // Several instances starting at once on a fresh database queue here, each for a moment.
    },
    { maxWait: 20_000, timeout: 20_000 },
  );
  if (inserted.length > 0) scopeCatalogue(db).forget();
  return inserted;
}
