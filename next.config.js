/**
 * Next.js configuration. Security headers apply to every response; the OAuth endpoints add their
 * own Cache-Control and CORS headers.
 * @type {import('next').NextConfig}
 */
const config = {
  poweredByHeader: false,
  // Native or WASM-backed modules are loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["better-sqlite3", "@node-rs/argon2", "pg", "@prisma/adapter-better-sqlite3", "@prisma/adapter-pg"],
  experimental: {
    // forbidden() renders app/forbidden.tsx with a 403 status.
    authInterrupts: true,
  },
  async headers() {
    return [
      {
        source: "/:path*",
        headers: [
          // No page of ours may be framed (clickjacking on consent and admin forms).
          { key: "Content-Security-Policy", value: "frame-ancestors 'none'" },
          { key: "X-Frame-Options", value: "DENY" },
          { key: "X-Content-Type-Options", value: "nosniff" },
          // Authorization requests carry state and codes in URLs: never send them to another site.
          // (Not no-referrer: that also blanks the Origin of our own form posts, which Next checks.)
          { key: "Referrer-Policy", value: "same-origin" },
        ],
      },
    ];
  },
};

export default config;
