/**
 * Secrets the server generates for itself on first start and keeps in the data folder, so it runs
 * with no configuration. Instances behind a load balancer must share them: set PORTCULLIS_SECRET.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Settings } from "./settings.ts";

function readOrCreate(file: string): string {
  try {
    return readFileSync(file, "utf8").trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(path.dirname(file), { recursive: true });
  const value = randomBytes(32).toString("base64url");
  try {
    // "wx": if another process created it first, keep theirs.
    writeFileSync(file, `${value}\n`, { flag: "wx", mode: 0o600 });
    return value;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return readFileSync(file, "utf8").trim();
    throw error;
  }
}

/** Signs and encrypts session cookies. */
export function sessionSecret(settings: Settings): string {
  return settings.sessionSecret ?? readOrCreate(path.join(settings.dataDir, "session-secret"));
}
