/**
 * The client address for the audit log. server.ts sets X-Forwarded-For to the socket's address, or,
 * behind a trusted proxy (PORTCULLIS_TRUST_PROXY), keeps the proxy's header, whose last entry is the
 * address the proxy saw (earlier entries are whatever the client claimed).
 */
export function clientIp(headers: { get(name: string): string | null }): string | null {
  const forwarded = headers.get("x-forwarded-for");
  const address = forwarded?.split(",").at(-1)?.trim();
  return address ? withoutIpv4Mapping(address) : null;
}

/**
 * A dual-stack socket reports an IPv4 client as "::ffff:127.0.0.1": what is recorded (and shown)
 * is the IPv4 address people know.
 */
function withoutIpv4Mapping(address: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return mapped ? mapped[1]! : address;
}
