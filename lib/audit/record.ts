/**
 * The audit log is append-only: rows are written in the same transaction as the change they
 * describe and never updated. Details hold field-level before/after values and never secrets.
 */
import type { Db } from "../db/client.ts";
import type { Actor } from "./actor.ts";

export { cliActor, systemActor, type Actor } from "./actor.ts";

export type Transaction = Parameters<Parameters<Db["$transaction"]>[0]>[0];

export interface AuditInput {
  action: string;
  applicationId?: string | null;
  targetUserId?: string | null;
  details?: Record<string, unknown>;
}

export function auditData(actor: Actor, input: AuditInput) {
  return {
    actorId: actor.kind === "user" ? actor.id : null,
    actorEmail: actor.kind === "user" ? actor.email : actor.kind,
    ip: actor.kind === "user" || actor.kind === "anonymous" ? (actor.ip ?? null) : null,
    action: input.action,
    applicationId: input.applicationId ?? null,
    targetUserId: input.targetUserId ?? null,
    details: JSON.stringify(input.details ?? {}),
  };
}

export function recordAudit(tx: Transaction | Db, actor: Actor, input: AuditInput) {
  return tx.auditEvent.create({ data: auditData(actor, input) });
}

export type Change = { from: unknown; to: unknown };

/** Field-level differences between two snapshots, for the audit trail. */
export function diffFields<T extends Record<string, unknown>>(before: T, after: T): Record<string, Change> {
  const changes: Record<string, Change> = {};
  for (const key of Object.keys(after)) {
    const from = before[key] ?? null;
    const to = after[key] ?? null;
    if (JSON.stringify(from) !== JSON.stringify(to)) changes[key] = { from, to };
  }
  return changes;
}
