-- Hand-written (Prisma's schema has no triggers): the audit log is append-only, enforced by the
-- database rather than by convention. Nothing in the application updates or deletes audit rows;
-- AuditEvent has no foreign keys, so no cascade removes them either. TRUNCATE skips row triggers,
-- so it has a statement trigger of its own. (Dropping the table or the database still works.)
CREATE FUNCTION "portcullis_audit_append_only"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'AuditEvent is append-only: % is not allowed on audit rows', TG_OP;
END;
$$;

CREATE TRIGGER "AuditEvent_no_update_or_delete"
  BEFORE UPDATE OR DELETE ON "AuditEvent"
  FOR EACH ROW EXECUTE FUNCTION "portcullis_audit_append_only"();

CREATE TRIGGER "AuditEvent_no_truncate"
  BEFORE TRUNCATE ON "AuditEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_audit_append_only"();
