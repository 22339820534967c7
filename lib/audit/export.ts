/**
 * The audit log as a file to download: the entries a filter selects, newest first, as CSV (one row
 * per entry, its detail lines joined) or JSON (the entries as the dashboard reads them).
 */
import type { Db } from "../db/client.ts";
import { decodeCursor, listAuditEvents, type AuditEntry, type AuditQuery, type DetailLine } from "./queries.ts";

/** At most this many entries per file: a bigger export is a database dump's job. */
export const auditExportLimit = 10_000;

export async function auditEntriesFor(db: Db, query: AuditQuery, limit = auditExportLimit): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let before = query.before;
  while (entries.length < limit) {
    const page = await listAuditEvents(db, { ...query, before, after: undefined, pageSize: 100 });
    entries.push(...page.items);
    if (!page.older) break;
    before = decodeCursor(page.older);
  }
  return entries.slice(0, limit);
}

function detailText(line: DetailLine): string {
  switch (line.kind) {
    case "change":
      return `${line.label}: ${line.from} → ${line.to}`;
    case "value":
      return `${line.label}: ${line.value}`;
    case "note":
      return line.text;
  }
}

/** A CSV field (RFC 4180), with a leading formula character defused for spreadsheets. */
function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

const columns = ["time", "action", "actor", "ip", "application", "user", "details"] as const;

export function auditCsv(entries: readonly AuditEntry[]): string {
  const rows = entries.map((entry) =>
    [
      entry.createdAt.toISOString(),
      entry.action,
      entry.actor.label,
      entry.ip ?? "",
      entry.application?.label ?? "",
      entry.targetUser?.label ?? "",
      entry.details.map(detailText).join("; "),
    ].map(csvField),
  );
  return [columns.join(","), ...rows.map((row) => row.join(","))].join("\r\n") + "\r\n";
}
