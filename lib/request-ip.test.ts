import { describe, expect, it } from "vitest";
import { clientIp } from "./request-ip.ts";

const headers = (value: string | null) => ({ get: (name: string) => (name === "x-forwarded-for" ? value : null) });

describe("clientIp", () => {
  it("records an IPv4 client of a dual-stack socket as IPv4", () => {
    expect(clientIp(headers("::ffff:127.0.0.1"))).toBe("127.0.0.1");
    expect(clientIp(headers("10.0.0.1, ::FFFF:192.0.2.7"))).toBe("192.0.2.7");
  });

  it("keeps IPv6 and plain IPv4 addresses as they are", () => {
    expect(clientIp(headers("::1"))).toBe("::1");
    expect(clientIp(headers("2001:db8::ffff:1"))).toBe("2001:db8::ffff:1");
    expect(clientIp(headers("::ffff:7f00:1"))).toBe("::ffff:7f00:1");
    expect(clientIp(headers("203.0.113.9"))).toBe("203.0.113.9");
  });

  it("is null without an address", () => {
    expect(clientIp(headers(null))).toBeNull();
    expect(clientIp(headers(" "))).toBeNull();
  });
});
