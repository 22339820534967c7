/**
 * Silences one warning we know and cannot act on: pg 8.x's DeprecationWarning "Calling
 * client.query() when the client is already executing a query". Prisma's PostgreSQL adapter
 * (@prisma/adapter-pg 7.10) sends a transaction's independent queries to its one connection
 * without waiting for each, and pg queues them in order, so nothing goes wrong today; pg 9 will
 * refuse it, which is Prisma's to fix before we can move to pg 9 (package.json pins pg 8).
 * Every other warning is printed as before.
 */
const silenced = "Calling client.query() when the client is already executing a query";

export function silenceKnownWarnings(): void {
  const emit = process.emitWarning.bind(process) as (...args: unknown[]) => void;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const message = typeof warning === "string" ? warning : warning.message;
    if (message.startsWith(silenced)) return;
    emit(warning, ...rest);
  }) as typeof process.emitWarning;
}
