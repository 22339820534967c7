/**
 * Counts token endpoint outcomes per day, application and grant type. Counting happens in memory
 * and is written every few seconds in one batch, so the token endpoint pays no extra query; a crash
 * loses at most those seconds of counts. Several instances each add their own increments.
 */
import type { Db } from "../db/client.ts";
import { isGrantType } from "../oauth/grant-types.ts";
import { log } from "../log/logger.ts";

type Outcome = "issued" | "failed";

export interface UsageEvent {
  applicationId: string;
  grantType: string;
  outcome: Outcome;
  /** A failure's OAuth error code (lib/oauth/errors.ts). */
  error?: string;
  at: Date;
}

const separator = "\u0000";

/** Error codes are the server's own, but only a short plain one is kept as a key of its own. */
function failureCode(error: string | undefined): string {
  return error && /^[a-z_]{1,40}$/.test(error) ? error : "other";
}

export class UsageCounter {
  private pending = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly intervalMs = 5000,
  ) {}

  record(event: UsageEvent): void {
    // Anyone can send any grant_type: counting each as its own would let them grow the table.
    const grantType = isGrantType(event.grantType) ? event.grantType : "other";
    const error = event.outcome === "failed" ? failureCode(event.error) : "";
    const key = [event.at.toISOString().slice(0, 10), event.applicationId, grantType, event.outcome, error].join(
      separator,
    );
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1);
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        void this.flush();
      }, this.intervalMs);
      // Never keep a process alive just to write counts.
      this.timer.unref();
    }
  }

  /** Writes what has been counted so far. */
  flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.flushing.then(() => this.write(batch));
    return this.flushing;
  }

  private async write(batch: Map<string, number>): Promise<void> {
    if (batch.size === 0) return;
    try {
      // One statement after another: a batch $transaction([...]) overlaps queries on one pg connection.
      await this.db.$transaction(async (tx) => {
        for (const [key, count] of batch) {
          const [day, applicationId, grantType, outcome, error] = key.split(separator) as [
            string,
            string,
            string,
            string,
            string,
          ];
          await tx.usageCounter.upsert({
            where: {
              day_applicationId_grantType_outcome_error: { day, applicationId, grantType, outcome, error },
            },
            create: { day, applicationId, grantType, outcome, error, count },
            update: { count: { increment: count } },
          });
        }
      });
    } catch (error) {
      // Keep the counts for the next attempt rather than lose them.
      for (const [key, count] of batch) this.pending.set(key, (this.pending.get(key) ?? 0) + count);
      log().error({ err: error }, "could not write usage counts");
    }
  }
}
