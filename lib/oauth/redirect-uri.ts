/**
 * Redirect URIs: what may be registered (RFC 9700 §2.1, RFC 8252 for native apps) and how a
 * requested URI is matched against the registered ones.
 */
import { hasControlCharacters } from "../control-characters.ts";

const loopbackHosts = new Set(["127.0.0.1", "[::1]", "localhost"]);
const loopbackIpHosts = new Set(["127.0.0.1", "[::1]"]);
const registeredWithoutPort = /^http:\/\/(127\.0\.0\.1|\[::1\])(?=[/?]|$)/i;

function parse(uri: string): URL | null {
  try {
    return new URL(uri);
  } catch {
    return null;
  }
}

/**
 * Whether a URL may be shown as a link (an app's logo, homepage, policy or terms): https, or http
 * on loopback, written as a browser would send it.
 */
export function isWebUrl(uri: string): boolean {
  if (hasControlCharacters(uri) || uri.includes("\\") || !/^https?:\/\//i.test(uri)) return false;
  const url = parse(uri);
  return url !== null && (url.protocol === "https:" || (url.protocol === "http:" && loopbackHosts.has(url.hostname)));
}

/**
 * Why a URI may not be registered as a redirect URI, or null when it may.
 * Allowed: https; http only on loopback; reverse-domain private-use schemes (`com.example.app:/cb`).
 */
export function redirectUriProblem(uri: string): string | null {
  if (uri !== uri.trim() || /\s/.test(uri)) return "must not contain spaces";
  if (hasControlCharacters(uri)) return "must not contain control characters";
  const url = parse(uri);
  if (!url) return "must be an absolute URI, e.g. https://app.example.com/callback";
  // Matching is on the text as registered, so it must be the URI a browser would send, not a form
  // the URL parser repairs (`https:host/cb`, backslashes for slashes).
  if (uri.includes("\\")) return "must use / rather than \\";
  if (uri.includes("#")) return "must not contain a fragment (#…)";
  if (url.username !== "" || url.password !== "") return "must not contain a user name or password";
  if (url.hostname.includes("*")) return "must not contain wildcards: register each address exactly";
  const scheme = url.protocol.slice(0, -1);
  if ((scheme === "https" || scheme === "http") && !uri.toLowerCase().startsWith(`${scheme}://`)) {
    return `must start with ${scheme}://`;
  }
  if (scheme === "https") return url.hostname === "" ? "needs a host" : null;
  if (scheme === "http") {
    return loopbackHosts.has(url.hostname)
      ? null
      : "must use https (http is allowed only for 127.0.0.1, [::1] and localhost)";
  }
  // RFC 8252 §7.1: a private-use scheme is a reverse domain name the app controls, then ":/path".
  if (!scheme.includes(".")) {
    return "must use https, loopback http, or a reverse-domain app scheme like com.example.app:/callback";
  }
  // Schemes are case-insensitive (RFC 3986 §3.1); URL lower-cases them.
  const lowered = uri.toLowerCase();
  if (!lowered.startsWith(`${scheme}:/`) || lowered.startsWith(`${scheme}://`)) {
    return `must have the form ${scheme}:/path (a single slash after the scheme)`;
  }
  return null;
}

/** Why a value may not be registered as a CORS origin, or null when it may. */
export function originProblem(origin: string): string | null {
  const url = parse(origin);
  if (!url) return "must be an origin like https://app.example.com";
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopbackHosts.has(url.hostname))) {
    return "must use https (http is allowed only for 127.0.0.1, [::1] and localhost)";
  }
  if (url.hostname.includes("*")) return "must not contain wildcards: register each origin exactly";
  if (url.origin !== origin) return "must be scheme, host and optional port only, e.g. https://app.example.com";
  return null;
}

/**
 * Whether a redirect URI sent in a request is one the client registered. Comparison is exact
 * (RFC 9700 §4.1.3), with one exception taken from RFC 8252 §7.3 as Django OAuth Toolkit applies
 * it: a loopback IP URI registered without a port matches that URI on any port.
 */
export function redirectUriAllowed(requested: string, registered: readonly string[]): boolean {
  if (registered.includes(requested)) return true;
  const asked = parse(requested);
  if (!asked || asked.protocol !== "http:" || requested.includes("#")) return false;
  return registered.some((candidate) => {
    const allowed = parse(candidate);
    return (
      allowed !== null &&
      allowed.protocol === "http:" &&
      loopbackIpHosts.has(allowed.hostname) &&
      // Read the port from the text: URL drops an explicit default port (":80"), which is still a port.
      registeredWithoutPort.test(candidate) &&
      asked.hostname === allowed.hostname &&
      asked.username === "" &&
      asked.password === "" &&
      asked.pathname === allowed.pathname &&
      asked.search === allowed.search
    );
  });
}
