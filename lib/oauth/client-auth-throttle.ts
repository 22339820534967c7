/**
 * Limits client-secret guessing at the token, revocation and introspection endpoints: after
 * `limit` failed authentications of one client from one address within `window` seconds, that
 * address gets 429 with Retry-After for that client until the oldest failure leaves the window;
 * after `addressLimit` failures from one address on any clients, so does every client id from it.
 * Keyed by address, so nobody can lock a client out from elsewhere: its own requests, from its own
 * address, keep working. The failures live in the database (ClientAuthFailures, the port), so
 * every instance behind a load balancer counts the same ones.
 *
 * Successful requests pay nothing for it: the database is consulted only for a client id or an
 * address that failed recently *in this process* (an in-memory hint, `RecentFailures`). A process
 * that has not seen a key fail checks its secret without asking, so behind N instances an attacker
 * gets at most one extra guess per instance and window beyond the limit (the workers of one
 * instance tell each other: HintPeers); refused requests renew
 * the hint, and when the hint is full (a flood from many addresses) every request is checked.
 * Refusals write nothing, so a flood of them cannot grow the table.
 */
import { OAuthError } from "./errors.ts";

export interface ClientAuthLimits {
  /** Failed authentications of one client id from one address within `window`. */
  limit: number;
  /** Failed authentications from one address, any client ids, within `window`. */
  addressLimit: number;
  /** Seconds. */
  window: number;
}

/** Whose authentication: the client_id as presented (it may name no client) and the address, "" when unknown. */
interface ClientAuthKey {
  clientId: string;
  source: string;
}

/** The port: failed client authentications, stored where every instance counts them (lib/db/client-auth-failures.ts). */
export interface ClientAuthFailures {
  record(key: ClientAuthKey, at: Date): Promise<void>;
  /** Seconds until `key` is under both limits again, 0 when it is now. Reads only. */
  retryAfter(key: ClientAuthKey, limits: ClientAuthLimits, now: Date): Promise<number>;
}

/** What client authentication asks of the throttle (ProtocolContext.clientAuthThrottle). */
export interface ClientAuthThrottle {
  /** Throws 429 when `key` is over a limit; answers from memory unless it failed here recently. */
  check(key: ClientAuthKey, now: Date): Promise<void>;
  /** A failed authentication. */
  failed(key: ClientAuthKey, now: Date): Promise<void>;
}

/** RFC 6749 §5.2's shape with RFC 6585's status: still invalid_client, but "slow down" rather than a challenge. */
function tooManyFailures(retryAfterSeconds: number): OAuthError {
  const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
  return new OAuthError(
    "invalid_client",
    `Too many failed client authentications from this address: retry after ${seconds} seconds`,
    { status: 429, headers: { "Retry-After": String(seconds) } },
  );
}

/** No client_id is longer; a longer one is stored cut (it names no client anyway). */
const maxStoredClientId = 255;

/** Keys that failed recently in this process, each until its hint expires. */
class RecentFailures {
  readonly #until = new Map<string, number>();
  /** After the hint overflowed: until when every request is checked (no live hint is dropped). */
  #checkAllUntil = 0;

  constructor(readonly capacity = 10_000) {}

  static keysOf(key: ClientAuthKey): [string, string] {
    return [`${key.source}\u0000${key.clientId}`, key.source];
  }

  /** Whether the database must be asked: a key of this request failed recently, or the hint overflowed. */
  concerns(key: ClientAuthKey, now: number): boolean {
    if (now < this.#checkAllUntil) return true;
    return RecentFailures.keysOf(key).some((hint) => (this.#until.get(hint) ?? 0) > now);
  }

  note(key: ClientAuthKey, until: number, now: number): void {
    if (now < this.#checkAllUntil) {
      this.#checkAllUntil = Math.max(this.#checkAllUntil, until);
      return;
    }
    for (const hint of RecentFailures.keysOf(key)) this.#until.set(hint, Math.max(until, this.#until.get(hint) ?? 0));
    if (this.#until.size <= this.capacity) return;
    for (const [hint, expiry] of this.#until) if (expiry <= now) this.#until.delete(hint);
    if (this.#until.size <= this.capacity) return;
    this.#checkAllUntil = Math.max(...this.#until.values());
    this.#until.clear();
  }
}

/**
 * The other processes of one server (the workers of `npm start`, lib/cluster/worker.ts): a failure
 * one of them saw is a hint for all, so a guesser spread over the workers by the cluster's turns
 * gets no extra guess per worker.
 */
export interface HintPeers {
  publish(key: ClientAuthKey, until: number): void;
  subscribe(note: (key: ClientAuthKey, until: number) => void): void;
}

export function hintedClientAuthThrottle(
  failures: ClientAuthFailures,
  limits: ClientAuthLimits,
  hints = new RecentFailures(),
  peers?: HintPeers,
): ClientAuthThrottle {
  const stored = (key: ClientAuthKey): ClientAuthKey => ({
    clientId: key.clientId.slice(0, maxStoredClientId),
    source: key.source,
  });
  peers?.subscribe((key, until) => hints.note(key, until, Date.now()));
  return {
    async check(key, now) {
      const at = now.getTime();
      if (!hints.concerns(key, at)) return;
      const wait = await failures.retryAfter(stored(key), limits, now);
      if (wait > 0) {
        hints.note(key, at + wait * 1000, at);
        throw tooManyFailures(wait);
      }
    },
    async failed(key, now) {
      const at = now.getTime();
      hints.note(key, at + limits.window * 1000, at);
      peers?.publish(key, at + limits.window * 1000);
      await failures.record(stored(key), now);
    },
  };
}
