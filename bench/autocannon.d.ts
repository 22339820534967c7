// The part of autocannon's programmatic API bench/run.ts uses (the package ships no types).
declare module "autocannon" {
  interface Options {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Seconds. */
    timeout?: number;
  }
  /** Milliseconds. */
  interface Latency {
    p50: number;
    p99: number;
    max: number;
  }
  interface Result {
    requests: { total: number };
    latency: Latency;
    /** Seconds. */
    duration: number;
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  export default function autocannon(options: Options): Promise<Result>;
}
