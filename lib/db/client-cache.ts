/**
 * The clients (applications as the token endpoint reads them) a server process keeps in memory on
 * PostgreSQL, so that a client_credentials request makes one round trip (its insert) instead of
 * two. On PostgreSQL the lookup was most of the request: bench/run.ts with the client held in
 * memory did 3,170 req/s at 10 connections instead of 1,590, and 6,080 instead of 1,720 at 50.
 * SQLite reads it in-process for a few microseconds and keeps no cache.
 *
 * Every change to an application's registration (from this process, another instance, the CLI or
 * plain SQL) fires a trigger that NOTIFYs `portcullis_client_change` when it commits (PostgreSQL
 * migration client_change_notify). Each process LISTENs on a connection of its own and forgets all
 * it holds when one arrives: a rotated secret or a deleted client stops working on every instance
 * within the notification's delivery, milliseconds. While that connection is not listening (not yet
 * open, lost, reconnecting) nothing is kept and every lookup reads the database. A connection that
 * dies without a word (a NAT or firewall dropping it) is caught by a heartbeat query, so the time a
 * change can go unseen is bounded by heartbeatMs + heartbeatTimeoutMs; an entry is also read again
 * after maxAgeMs whatever happens. Where notifications cannot arrive at all (PgBouncer in
 * transaction mode), PORTCULLIS_CLIENT_CACHE=off turns the cache off.
 */
import pg from "pg";
import { log } from "../log/logger.ts";

export const clientChangeChannel = "portcullis_client_change";

export interface ClientCacheOptions {
  /** The channel whose notifications say the cached rows changed (the scope catalogue has its own). */
  channel?: string;
  maxAgeMs?: number;
  /** Wait before opening the listening connection again after it failed or was lost. */
  retryMs?: number;
  /** How often the listening connection proves it is alive. */
  heartbeatMs?: number;
  /** How long a heartbeat (or opening the connection) may take before the connection counts as lost. */
  heartbeatTimeoutMs?: number;
}

export interface ClientCache<T> {
  /** The client, from memory when a notification would have said it changed; else from `load`. */
  read(clientId: string, load: (clientId: string) => Promise<T | null>): Promise<T | null>;
  /** Forgets all it holds (after a change this process made, before its notification arrives). */
  forget(): void;
}

export function notifiedClientCache<T>(
  pool: pg.Pool,
  {
    channel = clientChangeChannel,
    maxAgeMs = 30_000,
    retryMs = 1_000,
    heartbeatMs = 10_000,
    heartbeatTimeoutMs = 5_000,
  }: ClientCacheOptions = {},
): ClientCache<T> {
  const entries = new Map<string, { value: T; readAt: number }>();
  /** Bumped whenever entries are forgotten: a lookup that started before keeps its answer to itself. */
  let generation = 0;
  let state: "idle" | "connecting" | "listening" | "waiting" = "idle";
  /** The connection now in use; events from one given up on are ignored. */
  let current: pg.Client | null = null;

  function forget(): void {
    generation++;
    entries.clear();
  }

  const poolClosed = () => pool.ending || pool.ended;

  function retryLater(): void {
    if (poolClosed()) {
      state = "idle";
      return;
    }
    state = "waiting";
    setTimeout(() => {
      state = "idle";
    }, retryMs).unref();
  }

  async function listen(): Promise<void> {
    state = "connecting";
    const listener = new pg.Client({
      ...pool.options,
      keepAlive: true,
      keepAliveInitialDelayMillis: heartbeatMs,
      connectionTimeoutMillis: heartbeatTimeoutMs,
    });
    current = listener;
    let heartbeat: NodeJS.Timeout | undefined;
    let beating = false;

    const giveUp = (error?: Error) => {
      if (listener !== current) return;
      current = null;
      clearInterval(heartbeat);
      forget();
      listener.removeAllListeners("notification");
      listener.end().catch(() => {});
      if (error && !poolClosed()) log().warn({ cause: error.message }, "client cache: the PostgreSQL listener failed");
      retryLater();
    };
    listener.on("error", giveUp);
    listener.on("end", () => giveUp());

    try {
      await listener.connect();
      listener.on("notification", forget);
      await listener.query({
        text: `LISTEN ${channel}`,
        query_timeout: heartbeatTimeoutMs,
      } as pg.QueryConfig);
    } catch (error) {
      giveUp(error as Error);
      return;
    }
    if (listener !== current) return;
    // Not a reason to keep the process alive: it ends when its pool does.
    (listener as unknown as { connection?: { stream?: { unref?(): void } } }).connection?.stream?.unref?.();
    heartbeat = setInterval(() => {
      if (poolClosed()) return giveUp();
      if (beating) return;
      beating = true;
      listener
        .query({ text: "SELECT 1", query_timeout: heartbeatTimeoutMs } as pg.QueryConfig)
        .then(() => (beating = false), giveUp);
    }, heartbeatMs).unref();
    forget();
    state = "listening";
  }

  return {
    forget,
    async read(clientId, load) {
      if (poolClosed()) {
        // The listener is not one of the pool's connections, so ending the pool does not close it.
        current?.end().catch(() => {});
        return load(clientId);
      }
      if (state !== "listening") {
        if (state === "idle") void listen();
        return load(clientId);
      }
      const entry = entries.get(clientId);
      if (entry && Date.now() - entry.readAt < maxAgeMs) return entry.value;
      const before = generation;
      const value = await load(clientId);
      if (value !== null && state === "listening" && generation === before) {
        entries.set(clientId, { value, readAt: Date.now() });
      }
      return value;
    },
  };
}
