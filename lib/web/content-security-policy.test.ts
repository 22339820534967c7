import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, formActionSource, strictTransportSecurity } from "./content-security-policy.ts";

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split("; ").map((part) => {
      const [name, ...values] = part.split(" ");
      return [name!, values];
    }),
  );
}

describe("contentSecurityPolicy", () => {
  it("allows scripts by nonce only, and no objects, base, framing or foreign forms", () => {
    const policy = directives(contentSecurityPolicy({ nonce: "abc123==" }));
    expect(policy.get("script-src")).toEqual(["'self'", "'nonce-abc123=='", "'strict-dynamic'"]);
    expect(policy.get("script-src")).not.toContain("'unsafe-inline'");
    expect(policy.get("object-src")).toEqual(["'none'"]);
    expect(policy.get("base-uri")).toEqual(["'none'"]);
    expect(policy.get("frame-ancestors")).toEqual(["'none'"]);
    expect(policy.get("form-action")).toEqual(["'self'"]);
  });

  it("lists form targets once each, and eval only in development", () => {
    const policy = directives(
      contentSecurityPolicy({
        nonce: "n",
        formTargets: ["https://app.example.com", "https://app.example.com", "com.example.app:"],
        development: true,
      }),
    );
    expect(policy.get("form-action")).toEqual(["'self'", "https://app.example.com", "com.example.app:"]);
    expect(policy.get("script-src")).toContain("'unsafe-eval'");
  });
});

describe("formActionSource", () => {
  it.each([
    ["https://app.example.com/callback?x=1", "https://app.example.com"],
    ["https://app.example.com:8443/cb", "https://app.example.com:8443"],
    ["http://127.0.0.1/callback", "http://127.0.0.1:*"],
    ["http://127.0.0.1:51234/callback", "http://127.0.0.1:*"],
    ["http://[::1]/cb", "http:"],
    ["http://localhost:3000/cb", "http://localhost:*"],
    ["com.example.app:/callback", "com.example.app:"],
  ])("%s → %s", (uri, source) => expect(formActionSource(uri)).toBe(source));

  it.each(["not a url", "", "/relative"])("nothing for %j", (uri) => expect(formActionSource(uri)).toBeNull());

  it("never yields a value that could end the directive or the header", () => {
    for (const uri of ["https://a.example/;script-src *", "https://a.example/, b", "x;y:/cb"]) {
      const source = formActionSource(uri);
      expect(source ?? "").not.toMatch(/[;,\s]/);
    }
  });
});

describe("strictTransportSecurity", () => {
  it("is sent only when the public URL is https", () => {
    expect(strictTransportSecurity("https://auth.example.com")).toBe("max-age=63072000");
    expect(strictTransportSecurity("HTTPS://auth.example.com")).toBe("max-age=63072000");
    expect(strictTransportSecurity("http://localhost:3000")).toBeNull();
  });
});
