/**
 * `backup --to FILE`: a consistent copy of the SQLite database while the server runs, through
 * SQLite's online backup API (better-sqlite3's backup()), on a connection of its own: it copies
 * pages between the server's commits, and restarts its pass if one changes a page it copied.
 * PostgreSQL has pg_dump for that (docs/operations.md).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import type { DatabaseTarget } from "../db/url.ts";
import type { Io } from "./cli.ts";

export async function backupCommand(target: DatabaseTarget, args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { to: { type: "string" }, json: { type: "boolean", default: false } },
  });
  const fail = (flag: string, message: string) => {
    io.err(values.json ? JSON.stringify({ errors: { [flag]: [message] } }) : `error: ${flag}: ${message}`);
    return 1;
  };
  if (target.provider !== "sqlite")
    return fail(
      "backup",
      'backup copies a SQLite database; for PostgreSQL use pg_dump (see docs/operations.md): pg_dump --format=custom --file=portcullis.dump "$DATABASE_URL"',
    );
  if (!values.to) return fail("--to", "is required: the file to write the copy to");
  const destination = path.resolve(values.to);
  if (existsSync(destination)) return fail("--to", `${destination} already exists: choose a new file`);
  if (!existsSync(path.dirname(destination)))
    return fail("--to", `the folder ${path.dirname(destination)} does not exist`);
  const source = new Database(target.file, { readonly: true, fileMustExist: true, timeout: 10_000 });
  try {
    const { totalPages } = await source.backup(destination);
    const bytes = totalPages * (source.pragma("page_size", { simple: true }) as number);
    io.out(
      values.json
        ? JSON.stringify({ file: destination, pages: totalPages, bytes })
        : `Wrote ${destination} (${totalPages} pages, ${bytes} bytes)`,
    );
    return 0;
  } finally {
    source.close();
  }
}
