import { describe, expect, it } from "vitest";
import { auditCsv } from "./export.ts";
import type { AuditEntry } from "./queries.ts";

const entry: AuditEntry = {
  id: "a1",
  createdAt: new Date("2026-12-03T10:00:00Z"),
  action: "application.updated",
  actionLabel: "Application updated",
  actor: { kind: "user", id: "u1", label: "admin@example.com" },
  ip: "127.0.0.1",
  application: { id: "app1", label: 'Billing, "new"', exists: true },
  targetUser: null,
  details: [
    { kind: "change", label: "Name", from: "Billing", to: 'Billing, "new"' },
    { kind: "value", label: "Note", value: "=HYPERLINK(1)" },
  ],
};

describe("auditCsv", () => {
  it("writes a header and one quoted row per entry", () => {
    expect(auditCsv([entry]).split("\r\n")).toEqual([
      "time,action,actor,ip,application,user,details",
      '2026-12-03T10:00:00.000Z,application.updated,admin@example.com,127.0.0.1,"Billing, ""new""",,"Name: Billing → Billing, ""new""; Note: =HYPERLINK(1)"',
      "",
    ]);
  });

  it("defuses a field a spreadsheet would run as a formula", () => {
    const csv = auditCsv([{ ...entry, actor: { kind: "anonymous", id: null, label: "=cmd|' /C calc'!A0" } }]);
    expect(csv).toContain(",'=cmd|' /C calc'!A0,");
  });
});
