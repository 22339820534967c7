import { describe, expect, it } from "vitest";
import { redirectUriAllowed } from "../oauth/redirect-uri.ts";
import { builtInScopes, type ScopeCatalogue } from "../oauth/scope.ts";
import { parseApplicationInput, type FieldErrors } from "./schema.ts";

/** A valid confidential web application; each test changes what it is about. */
function valid(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: "Billing portal",
    clientType: "confidential",
    grantTypes: ["authorization_code", "refresh_token"],
    redirectUris: ["https://billing.example.com/callback"],
    ...overrides,
  };
}

function accepted(raw: unknown, catalogue?: ScopeCatalogue) {
  const result = parseApplicationInput(raw, catalogue ?? builtInScopes);
  if (!result.ok) throw new Error(`expected the input to be accepted, got ${JSON.stringify(result.errors)}`);
  return result.data;
}

function rejected(raw: unknown, catalogue?: ScopeCatalogue): FieldErrors {
  const result = parseApplicationInput(raw, catalogue ?? builtInScopes);
  if (result.ok) throw new Error(`expected the input to be rejected, got ${JSON.stringify(result.data)}`);
  return result.errors;
}

/** The only fields that carry errors, so a rule is shown to report against its own field. */
function erroredFields(raw: unknown): string[] {
  return Object.keys(rejected(raw)).sort();
}

describe("parseApplicationInput", () => {
  it("accepts a complete, valid registration and fills the defaults", () => {
    const data = accepted(valid());
    expect(data).toEqual({
      name: "Billing portal",
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      redirectUris: ["https://billing.example.com/callback"],
      postLogoutRedirectUris: [],
      allowedOrigins: [],
      allowedScopes: [],
      skipAuthorization: false,
      algorithm: "none",
      pkceRequired: true,
      introspectAnyToken: false,
      logoUri: null,
      homepageUri: null,
      policyUri: null,
      tosUri: null,
      accessTokenLifetime: null,
      refreshTokenLifetime: null,
      fields: {},
    });
  });

  it("reports a non-object input under `form`", () => {
    expect(Object.keys(rejected(null))).toEqual(["form"]);
    expect(Object.keys(rejected("name=x"))).toEqual(["form"]);
  });

  describe("name and client type", () => {
    it("requires a name, trimming surrounding whitespace", () => {
      expect(rejected(valid({ name: undefined })).name).toEqual(["Enter a name"]);
      expect(rejected(valid({ name: "   " })).name).toEqual(["Enter a name"]);
      expect(accepted(valid({ name: "  Billing  " })).name).toBe("Billing");
    });

    it("refuses control characters in the name (PostgreSQL cannot store NUL)", () => {
      for (const name of ["Bill\u0000ing", "Bill\ning", "Bill\ting", "Bill\u007fing"]) {
        expect(rejected(valid({ name })).name).toEqual([
          "Must not contain control characters (tabs, line breaks, NUL)",
        ]);
      }
    });

    it("limits the name to 100 characters", () => {
      expect(accepted(valid({ name: "n".repeat(100) })).name).toHaveLength(100);
      expect(erroredFields(valid({ name: "n".repeat(101) }))).toEqual(["name"]);
    });

    it("accepts only confidential or public", () => {
      expect(accepted(valid({ clientType: "public" })).clientType).toBe("public");
      expect(erroredFields(valid({ clientType: "secret" }))).toEqual(["clientType"]);
      expect(erroredFields(valid({ clientType: undefined }))).toEqual(["clientType"]);
    });

    it("reports cross-field problems together with a missing name", () => {
      const errors = rejected(valid({ name: "", clientType: "public", grantTypes: ["client_credentials"] }));
      expect(errors.name).toBeDefined();
      expect(errors.grantTypes).toBeDefined();
    });
  });

  describe("grant types", () => {
    it("needs at least one grant", () => {
      expect(erroredFields(valid({ grantTypes: [] }))).toEqual(["grantTypes"]);
      expect(erroredFields(valid({ grantTypes: undefined }))).toEqual(["grantTypes"]);
      expect(erroredFields(valid({ grantTypes: "   " }))).toEqual(["grantTypes"]);
    });

    it("rejects implicit and unknown grants, naming the offending value", () => {
      const implicit = rejected(valid({ grantTypes: ["authorization_code", "implicit"] }));
      expect(Object.keys(implicit)).toEqual(["grantTypes"]);
      expect(implicit.grantTypes?.join(" ")).toContain('"implicit"');
      const unknown = rejected(valid({ grantTypes: ["magic_link"] }));
      expect(unknown.grantTypes?.join(" ")).toContain('"magic_link"');
    });

    it("accepts every supported grant on a confidential client", () => {
      const all = [
        "authorization_code",
        "refresh_token",
        "client_credentials",
        "urn:ietf:params:oauth:grant-type:device_code",
        "password",
      ];
      expect(accepted(valid({ grantTypes: all })).grantTypes).toEqual(all);
    });

    it.each(["client_credentials", "password"])("refuses %s on a public client", (grant) => {
      const errors = rejected(valid({ clientType: "public", grantTypes: ["authorization_code", grant] }));
      expect(Object.keys(errors)).toEqual(["grantTypes"]);
      expect(errors.grantTypes?.join(" ")).toMatch(/confidential/i);
      // The same grant is fine for a confidential client.
      expect(accepted(valid({ grantTypes: ["authorization_code", grant] })).grantTypes).toContain(grant);
    });

    it("lets a public client use authorization code, refresh token and device code", () => {
      const grants = ["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"];
      expect(accepted(valid({ clientType: "public", grantTypes: grants })).grantTypes).toEqual(grants);
    });

    it("allows refresh_token only alongside a grant that issues refresh tokens", () => {
      expect(erroredFields(valid({ grantTypes: ["refresh_token"] }))).toEqual(["grantTypes"]);
      expect(erroredFields(valid({ grantTypes: ["client_credentials", "refresh_token"], redirectUris: [] }))).toEqual([
        "grantTypes",
      ]);
      expect(accepted(valid({ grantTypes: ["authorization_code", "refresh_token"] })).grantTypes).toContain(
        "refresh_token",
      );
      expect(
        accepted(
          valid({ grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"], redirectUris: [] }),
        ).grantTypes,
      ).toContain("refresh_token");
      expect(accepted(valid({ grantTypes: ["password", "refresh_token"], redirectUris: [] })).grantTypes).toContain(
        "refresh_token",
      );
    });

    it("allows only confidential clients to introspect any token", () => {
      expect(accepted(valid({ introspectAnyToken: true })).introspectAnyToken).toBe(true);
      expect(erroredFields(valid({ clientType: "public", introspectAnyToken: true }))).toEqual(["introspectAnyToken"]);
    });
  });

  describe("redirect URIs", () => {
    it("are required with the authorization code grant, and only then", () => {
      expect(erroredFields(valid({ redirectUris: [] }))).toEqual(["redirectUris"]);
      expect(erroredFields(valid({ redirectUris: "" }))).toEqual(["redirectUris"]);
      expect(accepted(valid({ grantTypes: ["client_credentials"], redirectUris: [] })).redirectUris).toEqual([]);
    });

    it.each([
      "https://app.example.com/callback",
      "https://app.example.com:8443/cb?tenant=a",
      "http://127.0.0.1/callback",
      "http://127.0.0.1:8080/callback",
      "http://localhost:3000/api/auth/callback",
      "http://[::1]:49152/cb",
      "com.example.app:/oauth2redirect",
      "com.example.app:/",
    ])("accepts %s", (uri) => {
      expect(accepted(valid({ redirectUris: [uri] })).redirectUris).toEqual([uri]);
    });

    it.each([
      ["a relative path", "/callback"],
      ["a host without a scheme", "app.example.com/callback"],
      ["a fragment", "https://app.example.com/callback#done"],
      ["an empty fragment", "https://app.example.com/callback#"],
      ["a user name", "https://user@app.example.com/callback"],
      ["a user name and password", "https://user:pw@app.example.com/callback"],
      ["plain http on a public host", "http://app.example.com/callback"],
      ["plain http on a host that only starts like localhost", "http://localhost.example.com/callback"],
      ["plain http on another loopback address", "http://127.0.0.2/callback"],
      ["a private-use scheme without a domain", "myapp://callback"],
      ["a private-use scheme without a domain, single slash", "myapp:/callback"],
      ["a reverse-domain scheme with two slashes", "com.example.app://callback"],
      ["a reverse-domain scheme with no slash", "com.example.app:callback"],
      ["javascript:", "javascript:alert(document.cookie)"],
      ["data:", "data:text/html,<script>alert(1)</script>"],
      ["file:", "file:///etc/passwd"],
      ["ftp:", "ftp://files.example.com/cb"],
      ["https without the two slashes", "https:app.example.com/cb"],
      ["https with one slash", "https:/app.example.com/cb"],
      ["http without the two slashes", "http:127.0.0.1/cb"],
      ["backslashes for slashes", "https:\\\\app.example.com\\cb"],
      ["a backslash in the path", "https://app.example.com/a\\b"],
      ["NUL", "https://app.example.com/c\u0000b"],
      ["another control character", "https://app.example.com/c\u0007b"],
    ])("rejects %s", (_label, uri) => {
      const errors = rejected(valid({ redirectUris: [uri] }));
      expect(Object.keys(errors)).toEqual(["redirectUris"]);
      // Each message names the URI it is about.
      expect(errors.redirectUris?.some((message) => message.startsWith(`${uri}:`))).toBe(true);
    });

    it("rejects an entry that is one URI with a space in the middle of an array item", () => {
      expect(erroredFields(valid({ redirectUris: ["https://app.example.com/a b"] }))).toEqual(["redirectUris"]);
    });

    it("reports every bad URI, not just the first", () => {
      const errors = rejected(
        valid({ redirectUris: ["http://a.example.com/cb", "https://ok.example.com/cb", "myapp://x"] }),
      );
      expect(errors.redirectUris).toHaveLength(2);
      expect(errors.redirectUris?.[0]).toContain("http://a.example.com/cb");
      expect(errors.redirectUris?.[1]).toContain("myapp://x");
    });

    it("applies the same rules to post-logout redirect URIs, keyed by their own field", () => {
      expect(
        accepted(valid({ postLogoutRedirectUris: ["https://app.example.com/bye"] })).postLogoutRedirectUris,
      ).toEqual(["https://app.example.com/bye"]);
      for (const bad of ["http://app.example.com/bye", "https://app.example.com/bye#x", "javascript:alert(1)"]) {
        expect(erroredFields(valid({ postLogoutRedirectUris: [bad] }))).toEqual(["postLogoutRedirectUris"]);
      }
    });
  });

  it("refuses wildcards, which can never match, in redirect URIs and origins", () => {
    expect(rejected(valid({ redirectUris: ["https://*.example.com/cb"] })).redirectUris?.[0]).toContain(
      "must not contain wildcards",
    );
    expect(rejected(valid({ allowedOrigins: ["https://*.example.com"] })).allowedOrigins?.[0]).toContain(
      "must not contain wildcards",
    );
  });

  it("accepts a private-use scheme in any letter case (schemes are case-insensitive)", () => {
    expect(accepted(valid({ redirectUris: ["Com.Example.App:/cb"] })).redirectUris).toEqual(["Com.Example.App:/cb"]);
    expect(erroredFields(valid({ redirectUris: ["Com.Example.App://cb"] }))).toEqual(["redirectUris"]);
  });

  describe("allowed origins", () => {
    it.each([
      "https://app.example.com",
      "https://app.example.com:8443",
      "http://localhost:3000",
      "http://127.0.0.1:5173",
      "http://[::1]:8080",
    ])("accepts %s", (origin) => {
      expect(accepted(valid({ allowedOrigins: [origin] })).allowedOrigins).toEqual([origin]);
    });

    it.each([
      ["a trailing slash", "https://app.example.com/"],
      ["a path", "https://app.example.com/app"],
      ["a query", "https://app.example.com?x=1"],
      ["an empty query", "https://app.example.com?"],
      ["a fragment", "https://app.example.com#x"],
      ["plain http on a public host", "http://app.example.com"],
      ["a private-use scheme", "com.example.app://x"],
      ["a bare host", "app.example.com"],
      ["user info", "https://user@app.example.com"],
      ["the null origin", "null"],
    ])("rejects %s", (_label, origin) => {
      const errors = rejected(valid({ allowedOrigins: [origin] }));
      expect(Object.keys(errors)).toEqual(["allowedOrigins"]);
      expect(errors.allowedOrigins?.[0]).toContain(origin);
    });
  });

  describe("scopes", () => {
    const catalogue: ScopeCatalogue = {
      ...builtInScopes,
      "api:read": { description: "Read the API" },
      "orders.write": { description: "Place orders" },
    };

    it("accepts RFC 6749 scope tokens and rejects others", () => {
      expect(accepted(valid({ allowedScopes: "openid api:read orders.write" }), catalogue).allowedScopes).toEqual([
        "openid",
        "api:read",
        "orders.write",
      ]);
      for (const bad of ['say"hi', "back\\slash", "café"]) {
        const errors = rejected(valid({ allowedScopes: [bad] }), catalogue);
        expect(Object.keys(errors)).toEqual(["allowedScopes"]);
        expect(errors.allowedScopes?.[0]).toContain(bad);
      }
    });

    it("accepts only scopes the server's catalogue offers, naming each one it refuses", () => {
      expect(accepted(valid({ allowedScopes: "openid email" })).allowedScopes).toEqual(["openid", "email"]);
      const errors = rejected(valid({ allowedScopes: "openid api:read orders.write" }));
      expect(errors).toEqual({
        allowedScopes: [
          '"api:read" is not a scope this server offers: remove it, or add it to the scope catalogue (Admin › Scopes)',
          '"orders.write" is not a scope this server offers: remove it, or add it to the scope catalogue (Admin › Scopes)',
        ],
      });
      // Names that only look like an object's own properties are not scopes either.
      expect(erroredFields(valid({ allowedScopes: "constructor toString" }))).toEqual(["allowedScopes"]);
    });
  });

  describe("list inputs", () => {
    it("take a text box's URIs one per line, naming the line of each problem", () => {
      const errors = rejected(
        valid({ redirectUris: "not a url\nhttps://ok.example.com/cb\n\nhttp://evil.example.com/cb\r\n" }),
      );
      expect(errors.redirectUris).toHaveLength(2);
      expect(errors.redirectUris![0]).toMatch(/^Line 1: not a url: /);
      expect(errors.redirectUris![1]).toMatch(/^Line 4: http:\/\/evil\.example\.com\/cb: /);
      // A list (the CLI's, JSON) has no lines to name.
      expect(rejected(valid({ redirectUris: ["http://evil.example.com/cb"] })).redirectUris![0]).toMatch(/^http:/);
    });

    it("accept one whitespace-separated string (spaces, tabs, newlines)", () => {
      const data = accepted(
        valid({
          redirectUris: "  https://a.example.com/cb\nhttps://b.example.com/cb\r\n\thttps://c.example.com/cb  ",
          allowedScopes: "openid  profile\temail",
        }),
      );
      expect(data.redirectUris).toEqual([
        "https://a.example.com/cb",
        "https://b.example.com/cb",
        "https://c.example.com/cb",
      ]);
      expect(data.allowedScopes).toEqual(["openid", "profile", "email"]);
    });

    it("accept an array, trimming items and dropping empty ones", () => {
      const data = accepted(valid({ redirectUris: [" https://a.example.com/cb ", "", "https://b.example.com/cb"] }));
      expect(data.redirectUris).toEqual(["https://a.example.com/cb", "https://b.example.com/cb"]);
    });

    it("are de-duplicated, keeping the first occurrence's order", () => {
      const data = accepted(
        valid({
          grantTypes: "authorization_code refresh_token authorization_code",
          redirectUris: ["https://b.example.com/cb", "https://a.example.com/cb", "https://b.example.com/cb"],
          allowedScopes: "openid email openid",
        }),
      );
      expect(data.grantTypes).toEqual(["authorization_code", "refresh_token"]);
      expect(data.redirectUris).toEqual(["https://b.example.com/cb", "https://a.example.com/cb"]);
      expect(data.allowedScopes).toEqual(["openid", "email"]);
    });

    it("treat a missing or null list as empty", () => {
      const data = accepted(valid({ postLogoutRedirectUris: null, allowedOrigins: undefined }));
      expect(data.postLogoutRedirectUris).toEqual([]);
      expect(data.allowedOrigins).toEqual([]);
    });

    it("limit a list to 50 entries", () => {
      const uris = (n: number) => Array.from({ length: n }, (_, i) => `https://app.example.com/cb/${i}`);
      expect(accepted(valid({ redirectUris: uris(50) })).redirectUris).toHaveLength(50);
      expect(erroredFields(valid({ redirectUris: uris(51) }))).toEqual(["redirectUris"]);
    });

    it("reject a list that is neither a string nor an array", () => {
      expect(erroredFields(valid({ allowedScopes: 42 }))).toEqual(["allowedScopes"]);
    });
  });

  describe("token lifetimes", () => {
    it("are optional; empty means the server default", () => {
      const data = accepted(valid({ accessTokenLifetime: "", refreshTokenLifetime: null }));
      expect(data.accessTokenLifetime).toBeNull();
      expect(data.refreshTokenLifetime).toBeNull();
    });

    it("accept durations in words, stored in seconds", () => {
      expect(accepted(valid({ accessTokenLifetime: "15 minutes" })).accessTokenLifetime).toBe(900);
      expect(accepted(valid({ refreshTokenLifetime: "30 days" })).refreshTokenLifetime).toBe(2_592_000);
      expect(rejected(valid({ accessTokenLifetime: "30 seconds" })).accessTokenLifetime).toEqual([
        "Must be at least 1 minute",
      ]);
    });

    it("accept whole seconds from 60 to a year, as numbers or strings", () => {
      const year = 366 * 24 * 3600;
      expect(accepted(valid({ accessTokenLifetime: 60 })).accessTokenLifetime).toBe(60);
      expect(accepted(valid({ accessTokenLifetime: "3600" })).accessTokenLifetime).toBe(3600);
      expect(accepted(valid({ refreshTokenLifetime: year })).refreshTokenLifetime).toBe(year);
      expect(accepted(valid({ refreshTokenLifetime: String(year) })).refreshTokenLifetime).toBe(year);
    });

    it.each([
      ["below the minimum", 59],
      ["zero", 0],
      ["negative", -3600],
      ["above a year", 366 * 24 * 3600 + 1],
      ["fractional", 90.5],
      ["fractional string", "90.5"],
      ["not a number", "an hour"],
    ])("reject %s, keyed by the field", (_label, value) => {
      expect(erroredFields(valid({ accessTokenLifetime: value }))).toEqual(["accessTokenLifetime"]);
      expect(erroredFields(valid({ refreshTokenLifetime: value }))).toEqual(["refreshTokenLifetime"]);
    });
  });

  describe("flags", () => {
    it.each(["on", "true", "TRUE", "1", "yes", true])("reads %j as true", (value) => {
      const data = accepted(valid({ skipAuthorization: value, pkceRequired: value }));
      expect(data.skipAuthorization).toBe(true);
      expect(data.pkceRequired).toBe(true);
    });

    it.each(["off", "false", "0", "no", false])("reads %j as false", (value) => {
      const data = accepted(valid({ skipAuthorization: value, pkceRequired: value }));
      expect(data.skipAuthorization).toBe(false);
      expect(data.pkceRequired).toBe(false);
    });

    it("uses each flag's default when absent or empty", () => {
      for (const missing of [undefined, null, ""]) {
        const data = accepted(
          valid({ skipAuthorization: missing, pkceRequired: missing, introspectAnyToken: missing }),
        );
        expect(data.skipAuthorization).toBe(false);
        expect(data.pkceRequired).toBe(true);
        expect(data.introspectAnyToken).toBe(false);
      }
    });

    it("rejects a value that is neither a boolean nor a string", () => {
      expect(erroredFields(valid({ skipAuthorization: 7 }))).toEqual(["skipAuthorization"]);
    });
  });

  describe("other fields", () => {
    it("accepts only none or RS256 as the signing algorithm", () => {
      expect(accepted(valid({ algorithm: "RS256" })).algorithm).toBe("RS256");
      expect(accepted(valid({ algorithm: "" })).algorithm).toBe("none");
      expect(erroredFields(valid({ algorithm: "HS256" }))).toEqual(["algorithm"]);
    });

    it("accepts https (or loopback http) for the informational URLs, empty meaning none", () => {
      const data = accepted(
        valid({
          logoUri: " https://cdn.example.com/logo.png ",
          homepageUri: "",
          policyUri: "http://localhost:3000/privacy",
        }),
      );
      expect(data.logoUri).toBe("https://cdn.example.com/logo.png");
      expect(data.homepageUri).toBeNull();
      expect(data.policyUri).toBe("http://localhost:3000/privacy");
      expect(erroredFields(valid({ tosUri: "http://example.com/tos" }))).toEqual(["tosUri"]);
      expect(erroredFields(valid({ logoUri: "javascript:alert(1)" }))).toEqual(["logoUri"]);
      expect(erroredFields(valid({ homepageUri: "not a url" }))).toEqual(["homepageUri"]);
      for (const uri of [
        "https:cdn.example.com/logo.png",
        "https:\\\\cdn.example.com\\logo.png",
        "https://cdn.example.com/\u0000",
      ]) {
        expect(erroredFields(valid({ logoUri: uri }))).toEqual(["logoUri"]);
      }
    });
  });

  it("keys every error by its field when several fields are wrong at once", () => {
    const errors = rejected({
      name: "",
      clientType: "public",
      grantTypes: ["client_credentials", "implicit"],
      redirectUris: ["http://evil.example.com/cb"],
      allowedOrigins: ["https://app.example.com/"],
      accessTokenLifetime: 5,
    });
    expect(Object.keys(errors).sort()).toEqual([
      "accessTokenLifetime",
      "allowedOrigins",
      "grantTypes",
      "name",
      "redirectUris",
    ]);
  });
});

describe("redirectUriAllowed", () => {
  it("matches a registered URI exactly", () => {
    const registered = ["https://app.example.com/callback", "com.example.app:/oauth2redirect"];
    expect(redirectUriAllowed("https://app.example.com/callback", registered)).toBe(true);
    expect(redirectUriAllowed("com.example.app:/oauth2redirect", registered)).toBe(true);
  });

  it("refuses anything that differs from the registered URI", () => {
    const registered = ["https://app.example.com/callback"];
    for (const requested of [
      "https://app.example.com/callback/",
      "https://app.example.com/Callback",
      "https://APP.example.com/callback",
      "HTTPS://app.example.com/callback",
      "https://app.example.com/callback?x=1",
      "https://app.example.com/callback#x",
      "https://app.example.com:443/callback",
      "https://app.example.com:8443/callback",
      "https://app.example.com/callback/../callback",
      "https://app.example.com/callbackx",
      "https://app.example.com.evil.com/callback",
      "http://app.example.com/callback",
      "",
    ]) {
      expect(redirectUriAllowed(requested, registered), requested).toBe(false);
    }
  });

  it("refuses everything when nothing is registered", () => {
    expect(redirectUriAllowed("http://127.0.0.1:8080/cb", [])).toBe(false);
    expect(redirectUriAllowed("https://app.example.com/cb", [])).toBe(false);
  });

  it.each(["127.0.0.1", "[::1]"])("lets a loopback IP (%s) registered without a port match any port", (host) => {
    const registered = [`http://${host}/callback`];
    expect(redirectUriAllowed(`http://${host}/callback`, registered)).toBe(true);
    expect(redirectUriAllowed(`http://${host}:8080/callback`, registered)).toBe(true);
    expect(redirectUriAllowed(`http://${host}:49152/callback`, registered)).toBe(true);
  });

  it("still needs the same host, path and query on another port", () => {
    const registered = ["http://127.0.0.1/callback?app=cli"];
    expect(redirectUriAllowed("http://127.0.0.1:8080/callback?app=cli", registered)).toBe(true);
    for (const requested of [
      "http://127.0.0.1:8080/callback",
      "http://127.0.0.1:8080/callback?app=cli&x=1",
      "http://127.0.0.1:8080/callback?app=other",
      "http://127.0.0.1:8080/other?app=cli",
      "http://127.0.0.1:8080/callback/?app=cli",
      "http://127.0.0.1:8080/Callback?app=cli",
      "http://127.0.0.1:8080/callback?app=cli#frag",
      "http://[::1]:8080/callback?app=cli",
      "http://localhost:8080/callback?app=cli",
      "https://127.0.0.1:8080/callback?app=cli",
      "http://user@127.0.0.1:8080/callback?app=cli",
      "http://user:pw@127.0.0.1:8080/callback?app=cli",
    ]) {
      expect(redirectUriAllowed(requested, registered), requested).toBe(false);
    }
  });

  it("does not give localhost the any-port exception", () => {
    const registered = ["http://localhost/callback"];
    expect(redirectUriAllowed("http://localhost/callback", registered)).toBe(true);
    expect(redirectUriAllowed("http://localhost:8080/callback", registered)).toBe(false);
  });

  it("matches a loopback URI registered with a port exactly", () => {
    const registered = ["http://127.0.0.1:3000/callback"];
    expect(redirectUriAllowed("http://127.0.0.1:3000/callback", registered)).toBe(true);
    expect(redirectUriAllowed("http://127.0.0.1:3001/callback", registered)).toBe(false);
    expect(redirectUriAllowed("http://127.0.0.1/callback", registered)).toBe(false);
  });

  it("treats an explicit default port as a port: registered :80 matches only :80", () => {
    const registered = ["http://127.0.0.1:80/cb"];
    expect(redirectUriAllowed("http://127.0.0.1:80/cb", registered)).toBe(true);
    expect(redirectUriAllowed("http://127.0.0.1/cb", registered)).toBe(false);
    expect(redirectUriAllowed("http://127.0.0.1:9999/cb", registered)).toBe(false);
  });

  it("checks each registered URI", () => {
    const registered = ["https://app.example.com/cb", "http://127.0.0.1/cli", "http://[::1]:9000/native"];
    expect(redirectUriAllowed("http://127.0.0.1:6000/cli", registered)).toBe(true);
    expect(redirectUriAllowed("http://[::1]:9000/native", registered)).toBe(true);
    expect(redirectUriAllowed("http://[::1]:9001/native", registered)).toBe(false);
    expect(redirectUriAllowed("http://127.0.0.1:6000/cb", registered)).toBe(false);
  });

  it("refuses unparseable requested URIs", () => {
    expect(redirectUriAllowed("not a uri", ["http://127.0.0.1/cb"])).toBe(false);
    expect(redirectUriAllowed("http://127.0.0.1:99999/cb", ["http://127.0.0.1/cb"])).toBe(false);
  });
});
