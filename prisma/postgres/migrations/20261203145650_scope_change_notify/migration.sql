-- Hand-written (Prisma's schema has no triggers), PostgreSQL only: every change to the scope
-- catalogue NOTIFYs the channel each server process listens on, so that it forgets the catalogue it
-- keeps in memory (lib/scopes/catalogue.ts). Sent when the transaction commits.
CREATE FUNCTION "portcullis_notify_scope_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portcullis_scope_change', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Scope_scope_change"
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Scope"
  FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_scope_change"();
