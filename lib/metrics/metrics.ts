/**
 * Prometheus metrics (prom-client), served at /metrics when PORTCULLIS_METRICS_TOKEN is set.
 * One registry per process, kept on globalThis: Next's build can copy this module into several
 * server chunks (sign-ins count there), and server.ts counts the protocol endpoints; all must
 * land in the same registry.
 *
 * With several workers, a scrape (answered by any one of them) covers all of them: see exposition.
 *
 * The token endpoint's path pays for counters only: each label set's child is made once and kept.
 */
import client from "prom-client";
import { clusterExposition } from "../cluster/worker.ts";
import { isGrantType } from "../oauth/grant-types.ts";

/** Pool figures of the database driver, when it has a pool (PostgreSQL). */
export type PoolStats = () => { total: number; idle: number; waiting: number } | undefined;

class Metrics {
  readonly registry = new client.Registry();
  private readonly requests = new client.Counter({
    name: "portcullis_http_requests_total",
    help: "HTTP requests answered, by endpoint and outcome (status class, or aborted).",
    labelNames: ["endpoint", "outcome"] as const,
    registers: [this.registry],
  });
  private readonly latency = new client.Histogram({
    name: "portcullis_http_request_duration_seconds",
    help: "Time from a request's arrival to the end of its answer, by endpoint and outcome.",
    labelNames: ["endpoint", "outcome"] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });
  private readonly tokens = new client.Counter({
    name: "portcullis_tokens_issued_total",
    help: "Token endpoint requests that issued tokens, by grant type.",
    labelNames: ["grant_type"] as const,
    registers: [this.registry],
  });
  private readonly tokenFailures = new client.Counter({
    name: "portcullis_token_requests_failed_total",
    help: "Token endpoint requests refused, by grant type.",
    labelNames: ["grant_type"] as const,
    registers: [this.registry],
  });
  readonly clientAuthFailures = new client.Counter({
    name: "portcullis_client_authentication_failures_total",
    help: "Failed client authentications (wrong or missing client secret) at the token, revocation and introspection endpoints.",
    registers: [this.registry],
  });
  readonly userAuthFailures = new client.Counter({
    name: "portcullis_user_authentication_failures_total",
    help: "Failed user sign-ins (wrong password, unknown email, disabled account), from the sign-in form or the password grant.",
    registers: [this.registry],
  });
  private poolStats: PoolStats = () => undefined;
  private readonly children = new Map<string, { count: client.Counter; time: client.Histogram }>();
  private readonly grantChildren = new Map<string, { issued: client.Counter; failed: client.Counter }>();

  constructor() {
    client.collectDefaultMetrics({ register: this.registry, prefix: "portcullis_" });
    const stats = () => this.poolStats();
    new client.Gauge({
      name: "portcullis_db_pool_connections",
      help: "PostgreSQL pool connections by state (total open, idle, requests waiting for one).",
      labelNames: ["state"] as const,
      registers: [this.registry],
      collect() {
        const pool = stats();
        if (!pool) return;
        this.set({ state: "total" }, pool.total);
        this.set({ state: "idle" }, pool.idle);
        this.set({ state: "waiting" }, pool.waiting);
      },
    });
  }

  usePoolStats(stats: PoolStats): void {
    this.poolStats = stats;
  }

  /** One answered request; `endpoint` must come from a fixed set (endpointLabel). */
  request(endpoint: string, status: number | "aborted", seconds: number): void {
    const outcome = status === "aborted" ? "aborted" : `${Math.floor(status / 100)}xx`;
    const key = `${endpoint} ${outcome}`;
    let child = this.children.get(key);
    if (!child) {
      child = {
        count: this.requests.labels(endpoint, outcome) as unknown as client.Counter,
        time: this.latency.labels(endpoint, outcome) as unknown as client.Histogram,
      };
      this.children.set(key, child);
    }
    child.count.inc();
    child.time.observe(seconds);
  }

  /** A token request's outcome (ProtocolContext.onTokenRequest). */
  tokenRequest(grantType: string, outcome: "issued" | "failed"): void {
    // Anyone can send any grant_type: unknown ones share one label value.
    const grant = isGrantType(grantType) ? grantType : "other";
    let child = this.grantChildren.get(grant);
    if (!child) {
      child = {
        issued: this.tokens.labels(grant) as unknown as client.Counter,
        failed: this.tokenFailures.labels(grant) as unknown as client.Counter,
      };
      this.grantChildren.set(grant, child);
    }
    child[outcome].inc();
  }
}

const key = Symbol.for("portcullis.metrics");
const holder = globalThis as typeof globalThis & { [key]?: Metrics };

/** This process's metrics. */
export function metrics(): Metrics {
  holder[key] ??= new Metrics();
  return holder[key];
}

/**
 * In a worker of several (lib/cluster/worker.ts): answers the primary's requests for this process's
 * metrics, which it sums over all workers (prom-client's cluster aggregation: counters and
 * histograms add up, the event loop lag is averaged). Call before the worker does anything slow,
 * so a scrape never waits on it.
 */
export function shareMetricsWithPrimary(): void {
  new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([metrics().registry]);
}

/** Prometheus's text format of every metric (of every worker), and its content type. */
export async function exposition(): Promise<{ body: string; contentType: string }> {
  const all = await clusterExposition();
  if (all) return all;
  const { registry } = metrics();
  return { body: await registry.metrics(), contentType: registry.contentType };
}
