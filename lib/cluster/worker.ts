/**
 * What a server process needs to know and say when it is one of several workers of one `npm start`
 * (PORTCULLIS_WORKERS > 1, lib/cluster/supervisor.ts), and nothing when it runs alone.
 *
 * State that each process keeps in memory (the signing keys it read, the client-auth throttle's
 * hints) is kept coherent by messages relayed through the primary: `broadcast(topic, payload)` in
 * one worker calls `onBroadcast(topic, …)`'s handlers in every other one, within the IPC round
 * trip (well under a millisecond). Alone, a broadcast goes nowhere: there is nobody to tell.
 *
 * Handlers live on globalThis: Next's build can copy this module into several server chunks.
 */
import cluster from "node:cluster";

/** The environment variable by which the primary tells a worker its slot (1…N) and their number. */
export const workerSlotVariable = "PORTCULLIS_WORKER_SLOT";

export interface WorkerRole {
  /** 1…workers; a restarted worker takes the slot of the one it replaces. */
  slot: number;
  workers: number;
}

/** This process's slot when it is a worker of several; null when it serves alone. */
export function workerRole(env: Readonly<Record<string, string | undefined>> = process.env): WorkerRole | null {
  const match = /^(\d+)\/(\d+)$/.exec(env[workerSlotVariable] ?? "");
  if (!match || !cluster.isWorker) return null;
  return { slot: Number(match[1]), workers: Number(match[2]) };
}

/** Messages between the primary and its workers carry this key, so that no one else's are mistaken for them. */
export const messageKey = "portcullis";

export type WorkerMessage =
  | { portcullis: "ready" }
  | { portcullis: "startup-failed"; message: string }
  | { portcullis: "broadcast"; topic: string; payload: unknown }
  | { portcullis: "metrics"; id: number };

export type PrimaryMessage =
  | { portcullis: "stop" }
  | { portcullis: "broadcast"; topic: string; payload: unknown }
  | { portcullis: "metrics"; id: number; body?: string; contentType?: string; error?: string };

export function isPortcullisMessage<T extends { portcullis: string }>(message: unknown): message is T {
  return typeof message === "object" && message !== null && typeof (message as T)[messageKey] === "string";
}

type Handler = (payload: unknown) => void;

interface Bus {
  handlers: Map<string, Set<Handler>>;
  listening: boolean;
  metricsRequests: Map<number, (answer: Extract<PrimaryMessage, { portcullis: "metrics" }>) => void>;
  nextId: number;
}

const key = Symbol.for("portcullis.cluster.bus");
const holder = globalThis as typeof globalThis & { [key]?: Bus };

function bus(): Bus {
  const existing = holder[key];
  if (existing) return existing;
  const created: Bus = { handlers: new Map(), listening: false, metricsRequests: new Map(), nextId: 0 };
  holder[key] = created;
  return created;
}

function listen(): void {
  const state = bus();
  if (state.listening || !cluster.isWorker) return;
  state.listening = true;
  process.on("message", (message: unknown) => {
    if (!isPortcullisMessage<PrimaryMessage>(message)) return;
    if (message.portcullis === "broadcast") {
      for (const handler of state.handlers.get(message.topic) ?? []) {
        try {
          handler(message.payload);
        } catch {
          // A handler's failure must not stop the others.
        }
      }
    } else if (message.portcullis === "metrics") {
      state.metricsRequests.get(message.id)?.(message);
    }
  });
}

/** Sends a message to the primary; false when there is none (alone, or the channel is closed). */
export function tellPrimary(message: WorkerMessage): boolean {
  if (!cluster.isWorker || !process.send || !process.connected) return false;
  process.send(message);
  return true;
}

/** Tells every other worker (through the primary); does nothing when this process serves alone. */
export function broadcast(topic: string, payload: unknown): void {
  if (workerRole()) tellPrimary({ portcullis: "broadcast", topic, payload });
}

/** Calls `handler` for each broadcast on `topic` from another worker; returns a function that stops it. */
export function onBroadcast(topic: string, handler: Handler): () => void {
  listen();
  const handlers = bus().handlers;
  const set = handlers.get(topic) ?? new Set<Handler>();
  set.add(handler);
  handlers.set(topic, set);
  return () => set.delete(handler);
}

/**
 * Every worker's metrics summed by the primary (prom-client's cluster aggregation), in Prometheus's
 * text format; null when this process serves alone.
 */
export async function clusterExposition(timeoutMs = 5_000): Promise<{ body: string; contentType: string } | null> {
  if (!workerRole()) return null;
  listen();
  const state = bus();
  const id = state.nextId++;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      state.metricsRequests.delete(id);
      reject(new Error("the primary did not answer the metrics request in time"));
    }, timeoutMs);
    state.metricsRequests.set(id, (answer) => {
      clearTimeout(timer);
      state.metricsRequests.delete(id);
      if (answer.error !== undefined || answer.body === undefined) reject(new Error(answer.error ?? "no metrics"));
      else resolve({ body: answer.body, contentType: answer.contentType ?? "text/plain" });
    });
    if (!tellPrimary({ portcullis: "metrics", id })) {
      clearTimeout(timer);
      state.metricsRequests.delete(id);
      reject(new Error("no primary to ask for metrics"));
    }
  });
}
