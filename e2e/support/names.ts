import { randomBytes } from "node:crypto";

/** A name no other test run uses, to find a test's own rows among everyone's. */
export function uniqueName(prefix: string): string {
  return `${prefix} ${randomBytes(3).toString("hex")}`;
}
