/**
 * The read every signed-in request makes (lib/sessions/queries.ts resolveSession): a session by id
 * with its user, as one statement on the driver (./client.ts driverOf), prepared once. Through
 * Prisma (findUnique with the user included) it cost ~0.5 ms of CPU per call, the largest part of
 * an authorize request that needs no page; on the driver, a few microseconds on SQLite and one
 * round trip on PostgreSQL. Clients made without connect() (tests) read through Prisma.
 */
import type { Db, Driver } from "./client.ts";
import { driverOf } from "./client.ts";

export interface StoredSession {
  id: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  user: { id: string; email: string; name: string; role: "ADMIN" | "USER"; disabled: boolean };
}

const sqliteSql = `SELECT s.id, s.createdAt, s.lastSeenAt, s.expiresAt, s.revokedAt,
  u.id AS userId, u.email, u.name, u.role, u.disabled
  FROM Session s JOIN User u ON u.id = s.userId WHERE s.id = ?`;
// Prisma writes TIMESTAMP(3) in UTC without a zone: read as UTC, whatever the process's time zone.
const postgresSql = `SELECT s."id",
  s."createdAt" AT TIME ZONE 'UTC' AS "createdAt", s."lastSeenAt" AT TIME ZONE 'UTC' AS "lastSeenAt",
  s."expiresAt" AT TIME ZONE 'UTC' AS "expiresAt", s."revokedAt" AT TIME ZONE 'UTC' AS "revokedAt",
  u."id" AS "userId", u."email", u."name", u."role"::text AS "role", u."disabled"
  FROM "Session" s JOIN "User" u ON u."id" = s."userId" WHERE s."id" = $1`;

type RawRow = Record<string, unknown>;

/** SQLite gives Prisma's DateTime as ISO text (or milliseconds), booleans as 0/1; pg gives Dates and booleans. */
const dateOf = (value: unknown): Date => (value instanceof Date ? value : new Date(value as string | number));

function sessionFrom(row: RawRow): StoredSession {
  return {
    id: row.id as string,
    createdAt: dateOf(row.createdAt),
    lastSeenAt: dateOf(row.lastSeenAt),
    expiresAt: dateOf(row.expiresAt),
    revokedAt: row.revokedAt === null ? null : dateOf(row.revokedAt),
    user: {
      id: row.userId as string,
      email: row.email as string,
      name: row.name as string,
      role: row.role as "ADMIN" | "USER",
      disabled: Boolean(row.disabled),
    },
  };
}

type Reader = (id: string) => Promise<StoredSession | null>;

function driverReader(driver: Driver): Reader {
  if (driver.provider === "sqlite") {
    const statement = driver.connection.prepare(sqliteSql).safeIntegers(false);
    return async (id) => {
      const row = await driver.outsideTransactions(() => statement.get(id) as RawRow | undefined);
      return row ? sessionFrom(row) : null;
    };
  }
  return async (id) => {
    const result = await driver.pool.query<RawRow>({
      name: "portcullis_find_session",
      text: postgresSql,
      values: [id],
    });
    return result.rows[0] ? sessionFrom(result.rows[0]) : null;
  };
}

function prismaReader(db: Db): Reader {
  return (id) =>
    db.session.findUnique({
      where: { id },
      select: {
        id: true,
        createdAt: true,
        lastSeenAt: true,
        expiresAt: true,
        revokedAt: true,
        user: { select: { id: true, email: true, name: true, role: true, disabled: true } },
      },
    });
}

const readers = new WeakMap<Db, Promise<Reader>>();

/** The session with this id and its user, or null. */
export async function findSession(db: Db, id: string): Promise<StoredSession | null> {
  let reader = readers.get(db);
  if (!reader) {
    reader = driverOf(db).then((driver) => (driver ? driverReader(driver) : prismaReader(db)));
    // A failed connection is tried again by the next request.
    reader.catch(() => readers.delete(db));
    readers.set(db, reader);
  }
  return (await reader)(id);
}
