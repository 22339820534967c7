/**
 * next-auth configuration: email + password against the users table, JWT sessions. The session
 * carries only the user id and when it was issued; role and status are read from the database on
 * every request (lib/web/session.ts), so demoting or disabling someone takes effect at once.
 */
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { sessionSecret } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";
import { db } from "../db/client.ts";
import { signInWithForm } from "../users/sign-in.ts";
import { clientIp } from "../request-ip.ts";
import { safeReturnPath } from "./return-path.ts";

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
        authorize: (credentials, request) =>
          signInWithForm(db(), credentials, clientIp(headerReader(request?.headers))),
      }),
    ],
    callbacks: {
      // Where next-auth sends the browser after signing in or out (the form's callbackUrl): only a
      // path on this site, checked like every other return path.
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeReturnPath(url, baseUrl)}`;
      },
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
