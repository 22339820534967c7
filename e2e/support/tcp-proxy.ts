/**
 * A TCP proxy between a test server and PostgreSQL that a test can cut and restore: an outage of
 * the test's own making, with the shared PostgreSQL server left alone.
 *
 * cut() closes the listening port (new connections are refused: ECONNREFUSED) and drops the open
 * ones. With { keepListening: true } it spares the connections that sent `LISTEN` (the client
 * cache's notification connection, lib/db/client-cache.ts), as when a database refuses new
 * connections while existing sessions carry on: the server then still knows its clients, and an
 * authorization request fails after the client is identified, not before.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  cut(options?: { keepListening?: boolean }): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: Socket; upstream: Socket; listening: boolean }>();
  let server: Server | undefined;
  let port = 0;

  const open = () =>
    new Promise<void>((resolve, reject) => {
      const next = createServer((client) => {
        const upstream = connect(target.port, target.host);
        const pair = { client, upstream, listening: false };
        pairs.add(pair);
        client.on("data", (chunk: Buffer) => {
          if (chunk.includes("LISTEN ")) pair.listening = true;
        });
        client.pipe(upstream).pipe(client);
        const drop = () => {
          pairs.delete(pair);
          client.destroy();
          upstream.destroy();
        };
        client.on("error", drop).on("close", drop);
        upstream.on("error", drop).on("close", drop);
      });
      next.once("error", reject);
      next.listen(port, "127.0.0.1", () => {
        port = (next.address() as { port: number }).port;
        server = next;
        resolve();
      });
    });

  async function cut({ keepListening = false } = {}): Promise<void> {
    const closing = server;
    server = undefined;
    // Stops accepting at once; its callback would wait for the connections kept open.
    closing?.close();
    for (const pair of [...pairs]) {
      if (keepListening && pair.listening) continue;
      pair.client.destroy();
      pair.upstream.destroy();
      pairs.delete(pair);
    }
  }

  await open();
  return {
    get port() {
      return port;
    },
    cut,
    async restore() {
      if (!server) await open();
    },
    close: () => cut(),
  };
}
