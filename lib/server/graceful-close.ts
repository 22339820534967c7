/**
 * Stopping an HTTP server without dropping anyone: it stops accepting, answers every request in
 * flight, and every request that comes on a connection it accepted, with `Connection: close`, and
 * waits until every connection has ended, for at most `timeoutMs`; only then are those still open
 * closed.
 *
 * Not Node's server.close(): that also destroys the idle connections, including those accepted
 * whose request has not been read yet, and their clients see a reset.
 */
import type { Server, ServerResponse } from "node:http";
import { Server as NetServer, type Socket } from "node:net";

export interface GracefulClose {
  /** Resolves once the server is closed; `cutOff` connections were still open at the timeout. */
  close(timeoutMs: number): Promise<{ cutOff: number }>;
}

/**
 * After the signal, connections keep being accepted until none has come for `acceptQuietMs` (at
 * most `acceptMaxMs`): those already queued on the listening socket, which closing it would reset.
 * A busy event loop accepts them late (measured: 20 ms after the signal was not always enough for
 * connections made before it, on a loaded 2-core machine). A load balancer that still sends new
 * connections at the end of this window sees them refused or reset: take the instance out of the
 * pool first (docs/operations.md).
 */
const acceptQuietMs = 100;
const acceptMaxMs = 1_000;

interface Connection {
  /** An answer is being prepared or sent. */
  busy: boolean;
}

/** Call before the server accepts its first connection, so that every connection is known. */
export function gracefulClose(server: Server): GracefulClose {
  const connections = new Map<Socket, Connection>();
  let closing = false;

  let lastAccepted = 0;
  server.on("connection", (socket: Socket) => {
    lastAccepted = Date.now();
    connections.set(socket, { busy: false });
    socket.once("close", () => connections.delete(socket));
  });
  server.on("request", (incoming, outgoing: ServerResponse) => {
    const connection = connections.get(incoming.socket);
    if (connection) {
      connection.busy = true;
      outgoing.once("finish", () => {
        connection.busy = false;
      });
    }
    if (closing) outgoing.shouldKeepAlive = false;
  });

  return {
    async close(timeoutMs) {
      closing = true;
      const started = Date.now();
      while (Date.now() - lastAccepted < acceptQuietMs && Date.now() - started < acceptMaxMs) {
        await new Promise((resolve) => setTimeout(resolve, acceptQuietMs / 4));
      }
      // Accept what the poll phase of this turn finds, then close (setImmediate runs after it).
      await new Promise((resolve) => setImmediate(resolve));
      // Stop listening; the callback runs once every connection has ended.
      const closed = new Promise<void>((resolve) => NetServer.prototype.close.call(server, () => resolve()));
      for (const [socket, connection] of connections) {
        if (connection.busy) {
          // Answered with Connection: close, unless its headers are already out (then closed after it).
          const outgoing = (socket as Socket & { _httpMessage?: ServerResponse })._httpMessage;
          if (outgoing && !outgoing.headersSent) outgoing.shouldKeepAlive = false;
          else if (outgoing) outgoing.once("finish", () => socket.end());
        }
        // Idle (kept alive, or accepted with its request not read yet): closing it now would reset
        // a request already on its way. One that comes is answered with Connection: close; the
        // others end at the keep-alive timeout (server.keepAliveTimeout, 5 s), inside timeoutMs.
      }
      let cutOff = 0;
      const timer = setTimeout(() => {
        cutOff = connections.size;
        server.closeAllConnections();
        for (const socket of connections.keys()) socket.destroy();
      }, timeoutMs);
      timer.unref();
      await closed;
      clearTimeout(timer);
      return { cutOff };
    },
  };
}
