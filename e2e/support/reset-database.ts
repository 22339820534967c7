/** Empties a test server's database before it starts: `tsx e2e/support/reset-database.ts <url> <dataDir>`. */
import { mkdirSync, rmSync } from "node:fs";
import pg from "pg";
import { parseDatabaseUrl } from "../../lib/db/url.ts";

const [url, dataDir] = process.argv.slice(2);
if (!url || !dataDir) throw new Error("usage: reset-database.ts <DATABASE_URL> <dataDir>");
rmSync(dataDir, { recursive: true, force: true });
// Empty, for the server's log.
mkdirSync(dataDir, { recursive: true });
const target = parseDatabaseUrl(url);
if (target.provider === "postgresql") {
  const database = new URL(target.url).pathname.slice(1);
  const maintenance = new URL(target.url);
  maintenance.pathname = "/postgres";
  const client = new pg.Client({ connectionString: maintenance.toString() });
  await client.connect();
  await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  await client.query(`CREATE DATABASE "${database}"`);
  await client.end();
}
