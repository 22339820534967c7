/**
 * Next.js configuration. The security headers (lib/web/security-headers.json) apply to every
 * response: here for what Next serves, and in server.ts for the endpoints it serves directly.
 * - frame-ancestors/X-Frame-Options: no page may be framed (clickjacking on consent and admin forms).
 * - Referrer-Policy same-origin: URLs carry state and codes, never sent to another site; not
 *   no-referrer, which also blanks the Origin of our own form posts, which Next checks.
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
  ],
  experimental: {
    // forbidden() renders app/forbidden.tsx with a 403 status.
    authInterrupts: true,
  },
  async headers() {
    return [{ source: "/:path*", headers: securityHeaders }];
  },
};

export default config;
