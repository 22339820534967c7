-- Hand-written (Prisma's schema has no triggers): the audit log is append-only, enforced by the
-- database rather than by convention. Nothing in the application updates or deletes audit rows;
-- AuditEvent has no foreign keys, so no cascade removes them either.
-- A later migration that rebuilds "AuditEvent" (Prisma's SQLite table redefinition: DROP TABLE and
-- rename) drops these triggers with the old table and must create them again.
CREATE TRIGGER "AuditEvent_no_update" BEFORE UPDATE ON "AuditEvent"
BEGIN
  SELECT RAISE(ABORT, 'AuditEvent is append-only: audit rows cannot be changed');
END;

CREATE TRIGGER "AuditEvent_no_delete" BEFORE DELETE ON "AuditEvent"
BEGIN
  SELECT RAISE(ABORT, 'AuditEvent is append-only: audit rows cannot be deleted');
END;
