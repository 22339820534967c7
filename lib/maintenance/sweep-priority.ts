/**
 * The CPU priority for a clear-tokens process beside a serving server (os.setPriority's scale: 0 is
 * normal, higher yields more).
 *
 * - PostgreSQL: below normal. The sweep takes no lock the token endpoint needs there; what it cost
 *   token requests was CPU on a busy machine, and below normal priority it takes the cores only when
 *   the server leaves them idle.
 * - SQLite: normal. Each delete holds the database's one write lock, and a sweep preempted while it
 *   holds it keeps every token request waiting.
 *
 * docs/performance.md measures both.
 */
import os from "node:os";
import type { DatabaseTarget } from "../db/url.ts";

export function sweepPriority(provider: DatabaseTarget["provider"]): number {
  return provider === "postgresql"
    ? os.constants.priority.PRIORITY_BELOW_NORMAL
    : os.constants.priority.PRIORITY_NORMAL;
}

/**
 * Lowers this process's priority to the sweep's, never raises it (only root may, so `nice` from cron
 * still wins). For the whole process: a process cannot take a lowered priority back, so never in one
 * that goes on to do other work.
 */
export function lowerPriorityForSweep(provider: DatabaseTarget["provider"]): void {
  const priority = sweepPriority(provider);
  if (os.getPriority() < priority) os.setPriority(priority);
}
