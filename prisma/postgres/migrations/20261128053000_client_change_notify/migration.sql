-- Hand-written (Prisma's schema has no triggers), PostgreSQL only: every change to an application's
-- registration NOTIFYs the channel each server process listens on, so that it forgets the clients it
-- keeps in memory (lib/db/client-cache.ts). Notifications are sent when the transaction commits, once
-- per transaction and channel.
CREATE FUNCTION "portcullis_notify_client_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('portcullis_client_change', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Application_client_change"
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "Application"
  FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_client_change"();

CREATE TRIGGER "ApplicationGrantType_client_change"
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApplicationGrantType"
  FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_client_change"();

CREATE TRIGGER "ApplicationUri_client_change"
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApplicationUri"
  FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_client_change"();

CREATE TRIGGER "ApplicationScope_client_change"
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "ApplicationScope"
  FOR EACH STATEMENT EXECUTE FUNCTION "portcullis_notify_client_change"();
