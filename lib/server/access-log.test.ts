import { describe, expect, it } from "vitest";
import { basicClientId, endpointLabel, formClientId } from "./access-log.ts";

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

describe("the access log's fields", () => {
  it("takes the client id from Basic authentication, never the secret", () => {
    expect(basicClientId(basic("my%20app", "s3cret"))).toBe("my app");
    expect(basicClientId(basic("", "s3cret"))).toBeUndefined();
    expect(basicClientId("Bearer abc")).toBeUndefined();
    expect(basicClientId(`Basic ${Buffer.from("no-colon").toString("base64")}`)).toBeUndefined();
    expect(basicClientId(basic("%E0%A4%A", "x"))).toBeUndefined();
  });

  it("takes client_id from a form or query, and nothing else", () => {
    expect(formClientId("grant_type=authorization_code&code=abc&client_id=web")).toBe("web");
    expect(formClientId("grant_type=client_credentials")).toBeUndefined();
  });

  it("labels endpoints from a fixed set, whatever the path", () => {
    expect(endpointLabel("/oauth/token")).toBe("/oauth/token");
    expect(endpointLabel("/admin/applications/abc123")).toBe("/admin");
    expect(endpointLabel("/api/auth/callback/credentials")).toBe("/api/auth");
    expect(endpointLabel("/adminx")).toBe("other");
    expect(endpointLabel("/random/garbage")).toBe("other");
  });
});
