/**
 * Reads of the audit log: newest first, filtered by actor, the user an entry is about, application
 * and action, paged with a keyset cursor on (createdAt, id) rather than an offset, so page 4,000
 * costs what page 1 costs. Every filter maps onto one of AuditEvent's indexes, (createdAt),
 * (actorId, createdAt), (targetUserId, createdAt), (applicationId, createdAt) and (action,
 * createdAt): the database walks one index in time order and stops after a page. No total count
 * is taken (that would read every matching row).
 *
 * Details are returned as readable lines, never raw JSON: field-level before → after for changes,
 * and anything that looks like a credential (by its key or by its value) is replaced by "[redacted]",
 * even though the commands that write the log never store one.
 */
import { allFieldEntries } from "../applications/custom-fields.ts";
import { applicationFieldList } from "../applications/fields.ts";
import { textFilter, type Db } from "../db/client.ts";
import { credentialPrefixes } from "../oauth/secrets.ts";

/** Actions the server records, with the words the log shows. Unknown actions show as recorded. */
export const auditActions: Record<string, string> = {
  "application.created": "Application created",
  "application.updated": "Application updated",
  "application.trust_changed": "Application trust changed",
  "application.secret_rotated": "Client secret rotated",
  "application.deleted": "Application deleted",
  "token.revoked": "Token revoked",
  "tokens.revoked_all": "All tokens revoked",
  "user.created": "User created",
  "user.role_changed": "User role changed",
  "user.disabled": "User disabled",
  "user.enabled": "User enabled",
  "user.password_changed": "Password changed",
  "user.password_reset": "Password reset",
  "user.password_set": "Password set by an admin",
  "user.password_reset_link_issued": "Password reset link issued",
  "user.password_reset_by_link": "Password reset through a link",
  "user.updated": "User updated",
  "user.deleted": "User deleted",
  "user.access_revoked": "User's access revoked",
  "user.sessions_ended": "Sessions ended",
  "auth.signed_in": "Signed in",
  "auth.signed_out": "Signed out",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_in_throttled": "Sign-ins blocked by the throttle",
  "signing_key.rotated": "ID token signing key rotated",
  "authorization.refused": "Authorization refused by policy",
  "device.approved": "Device approved",
  "device.denied": "Device denied",
  "scope.created": "Scope created",
  "scope.updated": "Scope updated",
  "scope.deleted": "Scope deleted",
  "scope.seeded": "Scopes added at start-up",
};

function actionLabel(action: string): string {
  return auditActions[action] ?? action;
}

type ActorKind = "user" | "cli" | "system" | "anonymous";

/** Actors recorded without a user id, by the name in actorEmail. */
const namedActors: readonly string[] = ["cli", "system", "anonymous"];

export interface AuditCursor {
  createdAt: Date;
  id: string;
}

export interface AuditQuery {
  /** Who acted: an email (or part of one), or "cli" / "system" / "anonymous". */
  actor?: string;
  /** Whom an entry is about (a sign-in's account, a user an admin changed): an email, part of one, or an ID. */
  user?: string;
  /** An application's name (or part of it), its client ID or its ID. */
  application?: string;
  /** Only this application's entries (an application's History tab). */
  applicationId?: string;
  action?: string;
  /** Entries from the start of this UTC day (YYYY-MM-DD). */
  from?: string;
  /** Entries up to the end of this UTC day (YYYY-MM-DD). */
  to?: string;
  /** Why the date range was not applied; when set, no entries are listed. */
  dateErrors?: { from?: string; to?: string };
  /** Entries older than this one (the next page). */
  before?: AuditCursor;
  /** Entries newer than this one (the previous page). */
  after?: AuditCursor;
  pageSize?: number;
}

export type DetailLine =
  | { kind: "change"; label: string; from: string; to: string }
  | { kind: "value"; label: string; value: string }
  | { kind: "note"; text: string };

export interface AuditEntry {
  id: string;
  createdAt: Date;
  action: string;
  actionLabel: string;
  actor: { kind: ActorKind; id: string | null; label: string };
  ip: string | null;
  /** Name if it still exists, else the name the entry recorded, else its id. */
  application: { id: string; label: string; exists: boolean } | null;
  targetUser: { id: string; label: string; exists: boolean } | null;
  details: DetailLine[];
}

export interface AuditPage {
  items: AuditEntry[];
  pageSize: number;
  /** Cursor for the next (older) page, when there is one. */
  older: string | null;
  /** Cursor for the previous (newer) page, when there is one. */
  newer: string | null;
}

const defaultAuditPageSize = 25;

/** A cursor as it travels in a URL: milliseconds since the epoch, then the id. */
function encodeCursor(cursor: AuditCursor): string {
  return `${cursor.createdAt.getTime()}_${cursor.id}`;
}

export function decodeCursor(value: string | undefined): AuditCursor | undefined {
  const match = /^(\d{1,15})_([A-Za-z0-9_-]{1,64})$/.exec(value ?? "");
  if (!match) return undefined;
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}

type Params = Record<string, string | string[] | undefined>;

const dayMs = 24 * 3600 * 1000;

/** The UTC midnight a YYYY-MM-DD day starts at, or null when it is no such day. */
export function utcDayStart(day: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  // Date.UTC rolls 2026-02-31 over to March: such a day does not exist.
  return date.toISOString().slice(0, 10) === day ? date : null;
}

/**
 * The date range of a query: each bound a YYYY-MM-DD UTC day (what a date input sends), both
 * inclusive. A malformed day, or a range that ends before it starts, is an error said in words.
 */
export function dateRangeFrom(
  fromText: string | undefined,
  toText: string | undefined,
): Pick<AuditQuery, "from" | "to" | "dateErrors"> {
  const errors: { from?: string; to?: string } = {};
  const from = fromText ? utcDayStart(fromText) : null;
  const to = toText ? utcDayStart(toText) : null;
  if (fromText && !from) errors.from = "Enter the start as a date (YYYY-MM-DD).";
  if (toText && !to) errors.to = "Enter the end as a date (YYYY-MM-DD).";
  if (from && to && to < from) errors.to = "The end date is before the start date.";
  return {
    from: fromText ? fromText.slice(0, 10) : undefined,
    to: toText ? toText.slice(0, 10) : undefined,
    ...(errors.from || errors.to ? { dateErrors: errors } : {}),
  };
}

function dateRangeWhere(query: AuditQuery): Where | null {
  const from = query.from ? utcDayStart(query.from) : null;
  const to = query.to ? utcDayStart(query.to) : null;
  if (!from && !to) return null;
  return {
    createdAt: {
      ...(from ? { gte: from } : {}),
      // To the end of the day: before the next one starts.
      ...(to ? { lt: new Date(to.getTime() + dayMs) } : {}),
    },
  };
}

/** Reads the filters and cursor from a URL query, dropping anything malformed. */
export function auditQueryFrom(params: Params): AuditQuery {
  const one = (key: string) => {
    const value = params[key];
    return (Array.isArray(value) ? value[0] : value)?.trim() || undefined;
  };
  const action = one("action");
  const before = decodeCursor(one("before"));
  return {
    actor: one("actor")?.slice(0, 254),
    user: one("user")?.slice(0, 254),
    application: one("app")?.slice(0, 200),
    action: action && /^[a-z0-9_.-]{1,100}$/i.test(action) ? action : undefined,
    ...dateRangeFrom(one("from")?.slice(0, 40), one("to")?.slice(0, 40)),
    before,
    after: before ? undefined : decodeCursor(one("after")),
  };
}

/** A URL query for the given filters and cursor. */
export function auditSearch(query: AuditQuery, cursor?: { before?: string; after?: string }): string {
  const params = new URLSearchParams();
  if (query.actor) params.set("actor", query.actor);
  if (query.user) params.set("user", query.user);
  if (query.application) params.set("app", query.application);
  if (query.action) params.set("action", query.action);
  if (query.from) params.set("from", query.from);
  if (query.to) params.set("to", query.to);
  if (cursor?.before) params.set("before", cursor.before);
  if (cursor?.after) params.set("after", cursor.after);
  const text = params.toString();
  return text ? `?${text}` : "";
}

type Where = Record<string, unknown>;

/** Most ids a text filter expands to; a broader search should be narrowed. */
const maxMatches = 200;

async function actorFilter(db: Db, text: string): Promise<Where> {
  const lowered = text.toLowerCase();
  // Non-users are recorded with no actor id: the (actorId, createdAt) index's NULL range.
  if (namedActors.includes(lowered)) return { actorId: null, actorEmail: lowered };
  const users = await matchingUsers(db, lowered);
  if (users.length > 0) return { actorId: { in: users } };
  // No such user now (deleted, or the email changed): match the email the entries recorded.
  return textFilter(db, "AuditEvent", ["actorEmail"], lowered);
}

async function matchingUsers(db: Db, text: string): Promise<string[]> {
  const users = await db.user.findMany({
    where: await textFilter(db, "User", ["email"], text.toLowerCase()),
    select: { id: true },
    take: maxMatches,
  });
  return users.map((user) => user.id);
}

async function targetUserFilter(db: Db, text: string): Promise<Where> {
  // The text itself too: the ID of a user who no longer exists.
  return { targetUserId: { in: [...new Set([text, ...(await matchingUsers(db, text))])] } };
}

async function applicationFilter(db: Db, text: string): Promise<Where> {
  const apps = await db.application.findMany({
    where: { OR: [await textFilter(db, "Application", ["name"], text), { clientId: text }] },
    select: { id: true },
    take: maxMatches,
  });
  // The text itself too: the ID of an application that no longer exists.
  return { applicationId: { in: [...new Set([text, ...apps.map((app) => app.id)])] } };
}

function olderThan(cursor: AuditCursor): Where {
  // The plain range first, so the index on createdAt bounds the scan; the id breaks ties.
  return {
    createdAt: { lte: cursor.createdAt },
    OR: [{ createdAt: { lt: cursor.createdAt } }, { id: { lt: cursor.id } }],
  };
}

function newerThan(cursor: AuditCursor): Where {
  return {
    createdAt: { gte: cursor.createdAt },
    OR: [{ createdAt: { gt: cursor.createdAt } }, { id: { gt: cursor.id } }],
  };
}

const newestFirst = [{ createdAt: "desc" as const }, { id: "desc" as const }];
const oldestFirst = [{ createdAt: "asc" as const }, { id: "asc" as const }];

export async function listAuditEvents(db: Db, query: AuditQuery = {}): Promise<AuditPage> {
  const pageSize = Math.min(Math.max(query.pageSize ?? defaultAuditPageSize, 1), 100);
  if (query.dateErrors) return { items: [], pageSize, older: null, newer: null };
  const filters: Where[] = [];
  const range = dateRangeWhere(query);
  if (range) filters.push(range);
  if (query.applicationId) filters.push({ applicationId: query.applicationId });
  if (query.application) filters.push(await applicationFilter(db, query.application));
  if (query.actor) filters.push(await actorFilter(db, query.actor));
  if (query.user) filters.push(await targetUserFilter(db, query.user));
  if (query.action) filters.push({ action: query.action });
  const where = (extra?: Where): Where => ({ AND: extra ? [...filters, extra] : filters });
  const exists = async (extra: Where) =>
    (await db.auditEvent.findFirst({ where: where(extra), select: { id: true } })) !== null;

  let rows;
  let older: AuditCursor | null = null;
  let newer: AuditCursor | null = null;
  if (query.after) {
    const found = await db.auditEvent.findMany({
      where: where(newerThan(query.after)),
      orderBy: oldestFirst,
      take: pageSize + 1,
    });
    if (found.length <= pageSize) {
      // Back at the newest entries: show the first page, full, rather than a short one.
      return listAuditEvents(db, { ...query, after: undefined, before: undefined });
    }
    rows = found.slice(0, pageSize).reverse();
    newer = rows[0]!;
    const last = rows[rows.length - 1]!;
    if (await exists(olderThan(last))) older = last;
  } else {
    const found = await db.auditEvent.findMany({
      where: where(query.before ? olderThan(query.before) : undefined),
      orderBy: newestFirst,
      take: pageSize + 1,
    });
    rows = found.slice(0, pageSize);
    if (found.length > pageSize) older = rows[rows.length - 1]!;
    if (query.before && rows.length > 0 && (await exists(newerThan(rows[0]!)))) newer = rows[0]!;
    if (query.before && rows.length === 0 && (await exists(newerThan(query.before)))) newer = query.before;
  }

  return {
    items: await toEntries(db, rows),
    pageSize,
    older: older ? encodeCursor(older) : null,
    newer: newer ? encodeCursor(newer) : null,
  };
}

interface AuditRow {
  id: string;
  createdAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  ip: string | null;
  action: string;
  applicationId: string | null;
  targetUserId: string | null;
  details: string;
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

async function toEntries(db: Db, rows: AuditRow[]): Promise<AuditEntry[]> {
  const appIds = [...new Set(rows.map((row) => row.applicationId).filter((id): id is string => Boolean(id)))];
  const userIds = [...new Set(rows.map((row) => row.targetUserId).filter((id): id is string => Boolean(id)))];
  const [apps, users] = await Promise.all([
    appIds.length ? db.application.findMany({ where: { id: { in: appIds } }, select: { id: true, name: true } }) : [],
    userIds.length ? db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, email: true } }) : [],
  ]);
  const appNames = new Map(apps.map((app) => [app.id, app.name]));
  const userEmails = new Map(users.map((user) => [user.id, user.email]));

  return rows.map((row) => {
    const details = parseDetails(row.details);
    const recordedName = typeof details.name === "string" ? details.name : null;
    const recordedEmail = typeof details.email === "string" ? details.email : null;
    const application = row.applicationId
      ? {
          id: row.applicationId,
          label: appNames.get(row.applicationId) ?? recordedName ?? row.applicationId,
          exists: appNames.has(row.applicationId),
        }
      : null;
    const targetUser = row.targetUserId
      ? {
          id: row.targetUserId,
          label: userEmails.get(row.targetUserId) ?? recordedEmail ?? row.targetUserId,
          exists: userEmails.has(row.targetUserId),
        }
      : null;
    const kind: ActorKind = row.actorId
      ? "user"
      : row.actorEmail === "cli" || row.actorEmail === "anonymous"
        ? row.actorEmail
        : "system";
    return {
      id: row.id,
      createdAt: row.createdAt,
      action: row.action,
      actionLabel: actionLabel(row.action),
      actor: { kind, id: row.actorId, label: row.actorEmail ?? (kind === "user" ? (row.actorId ?? "unknown") : kind) },
      ip: row.ip,
      application,
      targetUser,
      // The application's name and the target user's email have their own columns.
      details: detailLines(details, {
        skip: new Set([...(application ? ["name", "applicationId"] : []), ...(targetUser ? ["email"] : [])]),
      }),
    };
  });
}

/** Detail lines beyond these are folded away on the page (and at most this many characters). */
const foldAfterLines = 4;
const foldAfterCharacters = 400;

function lineLength(line: DetailLine): number {
  return line.kind === "note"
    ? line.text.length
    : line.label.length + (line.kind === "value" ? line.value.length : line.from.length + line.to.length);
}

/**
 * A long entry's lines split into those shown at once and those folded away (behind a
 * "show more"): the first few lines while they stay short, the rest folded.
 */
export function foldDetails(lines: readonly DetailLine[]): { shown: DetailLine[]; folded: DetailLine[] } {
  let characters = 0;
  let count = 0;
  for (const line of lines) {
    characters += lineLength(line);
    if (count === foldAfterLines || characters > foldAfterCharacters) break;
    count += 1;
  }
  // Folding away a single line saves nothing.
  if (lines.length - count <= 1 && characters <= foldAfterCharacters) count = lines.length;
  return { shown: lines.slice(0, count), folded: lines.slice(count) };
}

// ---------------------------------------------------------------------------------------------
// Details as readable lines

const fieldLabels: Record<string, string> = {
  ...Object.fromEntries(applicationFieldList.map((entry) => [entry.key, entry.label])),
  clientId: "Client ID",
  email: "Email",
  role: "Role",
  disabled: "Disabled",
  ip: "IP address",
  kind: "Kind",
  tokenId: "Token ID",
  user: "User",
  accessTokens: "Access tokens",
  refreshTokens: "Refresh tokens",
  authorizationCodes: "Authorization codes",
  isDefault: "Default scope",
  names: "Scopes",
  consentDeleted: "Consent deleted",
  sessionsEnded: "Sessions ended",
  revoked: "Revoked",
  via: "Via",
  accountDisabled: "Account disabled",
};

/** "postLogoutRedirectUris" → "Post logout redirect uris", for keys without a label. */
function labelFor(key: string): string {
  if (fieldLabels[key]) return fieldLabels[key];
  const field = allFieldEntries().find((entry) => entry.key === key);
  if (field) return field.label;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/[_.]+/g, " ")
    .toLowerCase()
    .trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const sensitiveKey = /(secret|password|passwordhash|hash|^token|^code|credential)$/i;
const credentialValue = new RegExp(`^(${Object.values(credentialPrefixes).join("|")})[A-Za-z0-9_-]{16,}$`);
const digestValue = /^([0-9a-z]{8})?[0-9a-f]{64}$/i;
const redacted = "[redacted]";

function isSensitive(key: string, value: unknown): boolean {
  if (sensitiveKey.test(key) && value !== null && value !== undefined && typeof value !== "boolean") return true;
  return typeof value === "string" && (credentialValue.test(value) || digestValue.test(value));
}

/** A value as one line of text. */
function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === "") return "(not set)";
  if (typeof value === "boolean") return value ? "yes" : "no";
  if (typeof value === "number") return value.toLocaleString("en");
  if (typeof value === "string") return credentialValue.test(value) || digestValue.test(value) ? redacted : value;
  if (Array.isArray(value)) return value.length === 0 ? "(none)" : value.map(formatValue).join(", ");
  return JSON.stringify(redact(value));
}

function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [key, isSensitive(key, inner) ? redacted : redact(inner)]),
    );
  }
  return typeof value === "string" && isSensitive("", value) ? redacted : value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === "object" && !Array.isArray(value);
}

/** Readable lines for an entry's details; keys in `skip` are shown elsewhere. */
export function detailLines(details: Record<string, unknown>, options: { skip?: Set<string> } = {}): DetailLine[] {
  const lines: DetailLine[] = [];
  const skip = options.skip ?? new Set<string>();
  const show = (key: string, value: unknown, prefix = "") => {
    const label = prefix ? `${prefix}: ${labelFor(key).toLowerCase()}` : labelFor(key);
    if (isSensitive(key, value)) lines.push({ kind: "value", label, value: redacted });
    else if (isRecord(value)) for (const [inner, innerValue] of Object.entries(value)) show(inner, innerValue, label);
    else lines.push({ kind: "value", label, value: formatValue(value) });
  };

  for (const [key, value] of Object.entries(details)) {
    if (skip.has(key)) continue;
    if (key === "changes" && isRecord(value)) {
      for (const [field, change] of Object.entries(value)) {
        const { from, to } = isRecord(change) ? change : { from: undefined, to: change };
        const sensitive = isSensitive(field, from) || isSensitive(field, to);
        lines.push({
          kind: "change",
          label: labelFor(field),
          from: sensitive ? redacted : formatValue(from),
          to: sensitive ? redacted : formatValue(to),
        });
      }
    } else if (key === "fields" && isRecord(value)) {
      // What an application was created with: the fields that were set.
      for (const [field, fieldValue] of Object.entries(value)) {
        if (field === "name" || fieldValue === undefined || fieldValue === null || fieldValue === "") continue;
        if (Array.isArray(fieldValue) && fieldValue.length === 0) continue;
        show(field, fieldValue);
      }
    } else if (key === "previousHint" || key === "newHint") {
      if (key === "newHint") {
        lines.push({
          kind: "change",
          label: "Client secret",
          from: typeof details.previousHint === "string" ? `…${details.previousHint}` : "(none)",
          to: typeof value === "string" ? `…${value}` : "(none)",
        });
      }
    } else if (key === "secretIssued") {
      if (value === true)
        lines.push({ kind: "note", text: "A new client secret was issued (shown once, never recorded)." });
    } else {
      show(key, value);
    }
  }
  return lines;
}
