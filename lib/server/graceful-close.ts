/**
 * Stopping an HTTP server without dropping anyone: it stops accepting, closes idle keep-alive
 * connections, answers each request in flight with `Connection: close`, and waits for those
 * answers, for at most `timeoutMs`; only then are the connections still open closed.
 */
import type { Server, ServerResponse } from "node:http";

export interface GracefulClose {
  /** Resolves once the server is closed; `timedOut` when requests still in flight were cut off. */
  close(timeoutMs: number): Promise<{ timedOut: boolean; cutOff: number }>;
}

/** Call before the server handles its first request, so that every request in flight is known. */
export function gracefulClose(server: Server): GracefulClose {
  const inFlight = new Set<ServerResponse>();
  let closing = false;
  let idle: (() => void) | undefined;

  server.on("request", (_incoming, outgoing: ServerResponse) => {
    inFlight.add(outgoing);
    // A request that came in on a kept-alive connection after close() began: its answer closes it.
    if (closing) outgoing.shouldKeepAlive = false;
    outgoing.once("close", () => {
      inFlight.delete(outgoing);
      if (closing && inFlight.size === 0) idle?.();
    });
  });

  return {
    async close(timeoutMs) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // server.close() ends idle connections; these end once their answer is sent.
      for (const outgoing of inFlight) if (!outgoing.headersSent) outgoing.shouldKeepAlive = false;
      server.closeIdleConnections();
      let timedOut = false;
      let cutOff = 0;
      if (inFlight.size > 0) {
        await new Promise<void>((resolve) => {
          idle = resolve;
          setTimeout(() => {
            timedOut = true;
            cutOff = inFlight.size;
            resolve();
          }, timeoutMs).unref();
        });
      }
      server.closeAllConnections();
      await closed;
      return { timedOut, cutOff };
    },
  };
}
