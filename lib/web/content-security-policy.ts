/**
 * The Content-Security-Policy of every page (set per request by proxy.ts) and HSTS.
 *
 * - script-src: only scripts carrying this response's nonce (Next reads it from the request's
 *   policy and puts it on its own scripts); 'strict-dynamic' lets them load Next's chunks. No
 *   'unsafe-inline' and no host allow-list, so injected markup cannot run script.
 * - style-src: our stylesheet and nonce'd style elements; style attributes (the charts position
 *   their bars with them) are allowed on their own by style-src-attr.
 * - img-src: client logos are any https URL (or loopback http), as registration allows. CSP has
 *   no syntax for an IPv6 host, so a logo at http://[::1] is not shown.
 * - object-src 'none', base-uri 'none', frame-ancestors 'none' (no page may be framed).
 * - form-action: 'self', plus on the consent and sign-out pages the origins the answer may send
 *   the user to: Chromium applies form-action to the redirects that follow a form POST, so the
 *   client's registered redirect URIs must be listed there or Allow and Deny would be blocked.
 */

export interface PolicyInput {
  nonce: string;
  /** Sources a form on this page may lead to besides 'self' (see formActionSource). */
  formTargets?: readonly string[];
  /** `next dev` evaluates code for its fast refresh. */
  development?: boolean;
}

export function contentSecurityPolicy({ nonce, formTargets = [], development = false }: PolicyInput): string {
  const nonceSource = `'nonce-${nonce}'`;
  return [
    "default-src 'self'",
    `script-src 'self' ${nonceSource} 'strict-dynamic'${development ? " 'unsafe-eval'" : ""}`,
    `style-src 'self' ${nonceSource}`,
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: https: http://127.0.0.1:* http://localhost:*",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    ["form-action 'self'", ...new Set(formTargets)].join(" "),
    "frame-ancestors 'none'",
  ].join("; ");
}

const loopbackHosts = new Set(["127.0.0.1", "localhost"]);

/**
 * The form-action source that lets a form's answer redirect to `uri`, or null when there is none:
 * its origin (any port on loopback, RFC 8252 §7.3), or its scheme for a private-use app scheme.
 * Paths are not listed: CSP ignores them once a redirect has happened.
 */
export function formActionSource(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol === "https:" || url.protocol === "http:") {
    // CSP cannot name an IPv6 host (Chromium ignores the source): allow loopback http by scheme.
    if (url.protocol === "http:" && url.hostname === "[::1]") return "http:";
    if (url.protocol === "http:" && loopbackHosts.has(url.hostname)) return `http://${url.hostname}:*`;
    return /^[a-z0-9.:[\]-]+$/i.test(url.host) ? url.origin : null;
  }
  return /^[a-z][a-z0-9+.-]*:$/i.test(url.protocol) ? url.protocol : null;
}

/** Strict-Transport-Security for a server whose public URL is https; nothing otherwise. */
export function strictTransportSecurity(publicUrl: string): string | null {
  // Two years, the preload list's minimum; subdomains are not ours to decide.
  return publicUrl.toLowerCase().startsWith("https://") ? "max-age=63072000" : null;
}
