/** Which database a DATABASE_URL names: `file:` → embedded SQLite, `postgres(ql)://` → PostgreSQL. */
import path from "node:path";

export type DatabaseTarget = { provider: "sqlite"; file: string } | { provider: "postgresql"; url: string };

export function parseDatabaseUrl(url: string, cwd = process.cwd()): DatabaseTarget {
  if (/^postgres(ql)?:\/\//i.test(url)) return { provider: "postgresql", url };
  if (url.startsWith("file:")) {
    const file = url.slice("file:".length).replace(/\?.*$/, "");
    if (file === "") throw new Error("DATABASE_URL file: needs a path, e.g. file:./data/portcullis.db");
    // SQLite paths resolve against the working directory, as better-sqlite3 would.
    return { provider: "sqlite", file: path.resolve(cwd, file) };
  }
  throw new Error(
    `DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL), got "${url.replace(/\/\/[^@]*@/, "//…@")}"`,
  );
}
