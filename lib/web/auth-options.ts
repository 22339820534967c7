/**
 * next-auth configuration: email + password against the users table. next-auth signs the user in
 * and writes the cookie; the session itself lives in the database (lib/sessions): the cookie's
 * encrypted JWT carries only the user id and the session's secret, and every request looks the
 * session up (lib/web/session.ts), so a sign-out, an ended session, a disabled account or a
 * password change takes effect at once, whoever holds a copy of the cookie.
 *
 * The cookie is written once, at sign-in, to expire with the session's absolute lifetime: next-auth's
 * own /api/auth/session would re-issue it with a fresh expiry on every call, so that route is
 * answered by lib/web/session-endpoint.ts instead.
 */
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { headers as requestHeaders } from "next/headers";
import { sessionSecret } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";
import { db } from "../db/client.ts";
import { signOutSession, startSession } from "../sessions/commands.ts";
import { signInWithForm } from "../users/sign-in.ts";
import { clientIp } from "../request-ip.ts";
import { parseCookieHeader, sessionSecretFrom, useSecureCookies } from "./session-cookie.ts";
import { safeReturnPath } from "./return-path.ts";

function headerReader(headers: Record<string, unknown> | undefined) {
  return {
    get: (name: string) => {
      const value = headers?.[name];
      return typeof value === "string" ? value : null;
    },
  };
}

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
    // The JWT and the cookie expire when the session's absolute lifetime ends.
    session: { strategy: "jwt", maxAge: config.sessions.maxAge },
    useSecureCookies: useSecureCookies(),
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, request) {
          const headers = headerReader(request?.headers);
          const ip = clientIp(headers);
          const user = await signInWithForm(db(), credentials, ip);
          if (!user) return null;
          // Signing in again in the same browser (another account, prompt=login) replaces the
          // session it held: end that one rather than leave it live behind the new cookie.
          await signOutSession(db(), await sessionSecretFrom(parseCookieHeader(request?.headers?.cookie)), ip);
          const session = await startSession(
            db(),
            user.id,
            { userAgent: headers.get("user-agent"), ip },
            config.sessions,
          );
          return { ...user, sessionSecret: session.secret };
        },
      }),
    ],
    callbacks: {
      // Where next-auth sends the browser after signing in or out (the form's callbackUrl): only a
      // path on this site, checked like every other return path.
      redirect({ url, baseUrl }) {
        return `${baseUrl}${safeReturnPath(url, baseUrl)}`;
      },
      // Only called at sign-in: no route of ours lets next-auth read or re-issue the cookie later.
      jwt({ token, user }) {
        if (!user) return token;
        const secret = (user as { sessionSecret?: unknown }).sessionSecret;
        return { sub: user.id, sid: typeof secret === "string" ? secret : undefined };
      },
    },
    events: {
      // POST /api/auth/signout (next-auth's own sign-out endpoint).
      async signOut({ token }) {
        await signOutSession(db(), token?.sid, clientIp(await requestHeaders()));
      },
    },
  };
}
