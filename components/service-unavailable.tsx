import { retryAfterSeconds } from "@/lib/database-unavailable";
import { noteDatabaseUnavailable } from "@/lib/server/outage-scope";

/**
 * Shown instead of a page while the database cannot be reached (lib/database-unavailable.ts); the
 * response goes out as 503 with Retry-After (server.ts).
 */
export function ServiceUnavailable({ retryHref }: { retryHref: string }) {
  noteDatabaseUnavailable();
  return (
    <main className="flex min-h-screen items-center justify-center px-4">
      <div className="max-w-md text-center" role="status" data-testid="service-unavailable">
        <p className="text-sm font-semibold text-indigo-700">503</p>
        <h1 className="mt-2 text-2xl font-bold">Temporarily unavailable</h1>
        <p className="mt-2 text-slate-700">
          Portcullis cannot reach its database just now. Nothing was changed. Try again in {retryAfterSeconds} seconds
          or so.
        </p>
        <a href={retryHref} className="mt-6 inline-block font-medium text-indigo-700 underline">
          Try again
        </a>
      </div>
    </main>
  );
}
