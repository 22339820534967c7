/**
 * Whether the request being served met a database outage, so that server.ts can answer it 503 with
 * Retry-After instead of the 200 of a "temporarily unavailable" page or the 500 of an error the
 * page did not catch. Pages cannot set their own status in Next; the request's async context can
 * carry the fact from wherever it was seen (a page that rendered components/service-unavailable.tsx,
 * or Next's onRequestError hook, instrumentation.ts) to the point where the status is written.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { isDatabaseUnavailable } from "../database-unavailable.ts";

// One store per process: server.ts runs from source, pages from Next's bundle, which holds its own
// copy of this module.
const key = Symbol.for("portcullis.outageScope");
const holder = globalThis as { [key]?: AsyncLocalStorage<{ databaseUnavailable: boolean }> };
const scope = (holder[key] ??= new AsyncLocalStorage());

/** Runs `serve` with a fresh record of whether the database was unavailable to it. */
export function trackOutage<T>(serve: (outcome: { readonly databaseUnavailable: boolean }) => T): T {
  const outcome = { databaseUnavailable: false };
  return scope.run(outcome, () => serve(outcome));
}

/** Records that this request could not reach the database (a no-op outside `trackOutage`). */
export function noteDatabaseUnavailable(): void {
  const record = scope.getStore();
  if (record) record.databaseUnavailable = true;
}

/** Records the outage when `error` is one; for errors nothing caught. */
export function noteIfDatabaseUnavailable(error: unknown): void {
  if (isDatabaseUnavailable(error)) noteDatabaseUnavailable();
}
