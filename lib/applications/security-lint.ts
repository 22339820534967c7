/**
 * Warnings about an application's settings that are allowed but risky (RFC 9700, OAuth 2.1): what
 * the app page lists under "Security checks". Pure: settings in, warnings out.
 */
import { formatDuration } from "./durations.ts";
import { labelOf, type ApplicationSettings } from "./fields.ts";

export interface SecurityWarning {
  /** Stable, for tests and for telling warnings apart. */
  id:
    "password-grant" | "http-redirect" | "wildcard-uri" | "long-access-token" | "long-refresh-token" | "pkce-optional";
  message: string;
}

const loopback = new Set(["127.0.0.1", "[::1]", "localhost"]);
/** Longer-lived tokens than these are worth a second look. */
const longAccessToken = 24 * 3600;
const longRefreshToken = 90 * 24 * 3600;

function isPlainHttpOutsideLoopback(uri: string): boolean {
  if (!URL.canParse(uri)) return false;
  const url = new URL(uri);
  return url.protocol === "http:" && !loopback.has(url.hostname);
}

/**
 * The warnings for `settings`; `defaults` are the server's lifetimes, which apply when the app
 * sets none.
 */
export function securityWarnings(
  settings: ApplicationSettings,
  defaults: { accessToken: number; refreshToken: number },
): SecurityWarning[] {
  const warnings: SecurityWarning[] = [];
  const grants = new Set<string>(settings.grantTypes);
  const uris = [...settings.redirectUris, ...settings.postLogoutRedirectUris, ...settings.allowedOrigins];
  if (grants.has("password")) {
    warnings.push({
      id: "password-grant",
      message:
        "The password grant is enabled: the app sees users' passwords, and OAuth 2.1 removes it. Move the app to the authorization code flow.",
    });
  }
  for (const uri of uris.filter(isPlainHttpOutsideLoopback)) {
    warnings.push({
      id: "http-redirect",
      message: `${uri} uses plain http outside this machine: codes and tokens travel unencrypted.`,
    });
  }
  for (const uri of uris.filter((candidate) => candidate.includes("*"))) {
    warnings.push({
      id: "wildcard-uri",
      message: `${uri} looks like a wildcard, but URIs are matched exactly: list each address the app uses.`,
    });
  }
  const access = settings.accessTokenLifetime ?? defaults.accessToken;
  if (access > longAccessToken) {
    warnings.push({
      id: "long-access-token",
      message: `${labelOf("accessTokenLifetime")} is ${formatDuration(access)}: a leaked access token works that long, and revoking it needs introspection. A day or less is usual.`,
    });
  }
  const refresh = settings.refreshTokenLifetime ?? defaults.refreshToken;
  if (grants.has("refresh_token") && refresh > longRefreshToken) {
    warnings.push({
      id: "long-refresh-token",
      message: `${labelOf("refreshTokenLifetime")} is ${formatDuration(refresh)}: consider 90 days or less.`,
    });
  }
  if (settings.clientType === "confidential" && grants.has("authorization_code") && !settings.pkceRequired) {
    warnings.push({
      id: "pkce-optional",
      message: "PKCE is optional for this app: RFC 9700 recommends requiring it for every client.",
    });
  }
  return warnings;
}
