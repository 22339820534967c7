/**
 * next-auth configuration: email + password against the users table, JWT sessions. The session
 * carries only the user id and when it was issued; role and status are read from the database on
 * every request (lib/web/session.ts), so demoting or disabling someone takes effect at once.
 */
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { recordAudit } from "../audit/record.ts";
import { sessionSecret } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";
import { db } from "../db/client.ts";
import { authenticate } from "../users/commands.ts";
import { clientIp } from "./request-ip.ts";

function headerReader(headers: Record<string, unknown> | undefined) {
  return {
    get: (name: string) => {
      const value = headers?.[name];
      return typeof value === "string" ? value : null;
    },
  };
}

export const sessionMaxAge = 8 * 3600;

let options: NextAuthOptions | undefined;

/** Built on first use, not at import, so `next build` never touches the data folder. */
export function authOptions(): NextAuthOptions {
  options ??= buildOptions();
  return options;
}

function buildOptions(): NextAuthOptions {
  const config = settings();
  // next-auth builds its callback URLs from NEXTAUTH_URL.
  process.env.NEXTAUTH_URL ??= config.publicUrl;
  return {
    secret: sessionSecret(config),
    session: { strategy: "jwt", maxAge: sessionMaxAge },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const email = String(credentials?.email ?? "").slice(0, 254);
          const password = String(credentials?.password ?? "").slice(0, 256);
          const ip = clientIp(headerReader(request?.headers));
          // NUL cannot be stored in PostgreSQL text (not even in the audit row) and is never valid here.
          if (email.includes("\u0000") || password.includes("\u0000")) return null;
          const user = email && password ? await authenticate(db(), email, password) : null;
          if (!user) {
            await recordAudit(db(), { kind: "system" }, { action: "auth.sign_in_failed", details: { email, ip } });
            return null;
          }
          await db().user.update({ where: { id: user.id }, data: { lastSignInAt: new Date() } });
          await recordAudit(
            db(),
            { kind: "user", id: user.id, email: user.email, ip },
            { action: "auth.signed_in", targetUserId: user.id },
          );
          return { id: user.id, email: user.email, name: user.name };
        },
      }),
    ],
    callbacks: {
      jwt({ token, user }) {
        // `iat` is renewed whenever next-auth re-issues the cookie; the sign-in time must not be.
        if (user) {
          token.sub = user.id;
          // Milliseconds: a sign-in must compare exactly against a password change in the same second.
          token.authTime = Date.now();
        }
        return token;
      },
      session({ session, token }) {
        return { ...session, userId: token.sub, authTime: typeof token.authTime === "number" ? token.authTime : 0 };
      },
    },
  };
}
