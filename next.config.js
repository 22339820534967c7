/**
 * Next.js configuration. The security headers (lib/web/security-headers.json) apply to every
 * response: here for what Next serves, and in server.ts for the endpoints it serves directly.
 * - X-Frame-Options: no page may be framed (clickjacking on consent and admin forms), also where
 *   frame-ancestors is not understood.
 * - Referrer-Policy same-origin: URLs carry state and codes, never sent to another site; not
 *   no-referrer, which also blanks the Origin of our own form posts, which Next checks.
 * - The machine endpoints and next-auth's API answer data, never a document: their policy allows
 *   nothing. Pages get their Content-Security-Policy, with a nonce per request, from proxy.ts;
 *   Strict-Transport-Security is set at run time by server.ts (it depends on PORTCULLIS_URL, which
 *   this file, read at build time, cannot know).
 * @type {import('next').NextConfig}
 */
import securityHeaders from "./lib/web/security-headers.json" with { type: "json" };

const config = {
  poweredByHeader: false,
  // Native or WASM-backed modules are loaded from node_modules at run time, not bundled.
  serverExternalPackages: [
    "better-sqlite3",
    "@node-rs/argon2",
    "pg",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    // One logger and one metrics registry per process (lib/log, lib/metrics), not a copy per chunk.
    "pino",
    "prom-client",
  ],
  experimental: {
    // forbidden() renders app/forbidden.tsx with a 403 status.
    authInterrupts: true,
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders.everyResponse },
      ...["/api/:path*", "/.well-known/:path*", "/oauth/:endpoint(token|revoke|introspect|userinfo|jwks)"].map(
        (source) => ({ source, headers: securityHeaders.machineEndpoints }),
      ),
    ];
  },
};

export default config;
