/**
 * The client address for the audit log. server.ts sets X-Forwarded-For to the socket's address, or,
 * behind a trusted proxy (PORTCULLIS_TRUST_PROXY), keeps the proxy's header, whose last entry is the
 * address the proxy saw (earlier entries are whatever the client claimed).
 */
export function clientIp(headers: { get(name: string): string | null }): string | null {
  const forwarded = headers.get("x-forwarded-for");
  return forwarded?.split(",").at(-1)?.trim() || null;
}
