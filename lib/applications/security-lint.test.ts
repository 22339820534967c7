import { describe, expect, it } from "vitest";
import { securityWarnings } from "./security-lint.ts";
import type { ApplicationSettings } from "./fields.ts";

const defaults = { accessToken: 3600, refreshToken: 30 * 86_400 };

function app(overrides: Partial<ApplicationSettings> = {}): ApplicationSettings {
  return {
    name: "Billing",
    clientType: "confidential",
    grantTypes: ["authorization_code", "refresh_token"],
    redirectUris: ["https://billing.example.com/cb", "http://127.0.0.1:8080/cb", "http://localhost/cb"],
    postLogoutRedirectUris: [],
    allowedOrigins: [],
    skipAuthorization: false,
    pkceRequired: true,
    algorithm: "RS256",
    allowedScopes: [],
    introspectAnyToken: false,
    accessTokenLifetime: null,
    refreshTokenLifetime: null,
    logoUri: null,
    homepageUri: null,
    policyUri: null,
    tosUri: null,
    ...overrides,
  };
}

const ids = (settings: ApplicationSettings) => securityWarnings(settings, defaults).map((warning) => warning.id);

describe("securityWarnings", () => {
  it("has nothing to say about a careful web app (loopback http is fine)", () => {
    expect(ids(app())).toEqual([]);
  });

  it("warns about the password grant", () => {
    expect(ids(app({ grantTypes: ["authorization_code", "password"] }))).toEqual(["password-grant"]);
  });

  it("warns about plain http outside loopback and wildcard-looking URIs, naming them", () => {
    const warnings = securityWarnings(
      app({ redirectUris: ["http://app.example.com/cb"], allowedOrigins: ["https://*.example.com"] }),
      defaults,
    );
    expect(warnings.map((warning) => warning.id)).toEqual(["http-redirect", "wildcard-uri"]);
    expect(warnings[0]!.message).toContain("http://app.example.com/cb");
    expect(warnings[1]!.message).toContain("https://*.example.com");
  });

  it("warns about long-lived tokens, the server's defaults included, in words", () => {
    const warnings = securityWarnings(app({ accessTokenLifetime: 7 * 86_400 }), {
      accessToken: 3600,
      refreshToken: 365 * 86_400,
    });
    expect(warnings.map((warning) => warning.id)).toEqual(["long-access-token", "long-refresh-token"]);
    expect(warnings[0]!.message).toContain("7 days");
    expect(warnings[1]!.message).toContain("365 days");
    // Without the refresh grant, a refresh lifetime is moot.
    expect(ids(app({ grantTypes: ["client_credentials"], refreshTokenLifetime: 365 * 86_400 }))).toEqual([]);
  });

  it("warns when a confidential code-flow client may skip PKCE", () => {
    expect(ids(app({ pkceRequired: false }))).toEqual(["pkce-optional"]);
    expect(ids(app({ pkceRequired: false, clientType: "public", redirectUris: [] }))).toEqual([]);
  });
});
