import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { csrfCookie, csrfToken } from "./sign-in-csrf.ts";

// next-auth's own implementation, by file (its package exports do not list it).
const require = createRequire(import.meta.url);
const nextAuth = require(path.join(path.dirname(require.resolve("next-auth")), "core/lib/csrf-token.js")) as {
  createCSRFToken(input: { options: { secret: string }; cookieValue?: string; isPost: boolean; bodyValue?: string }): {
    csrfToken: string;
    cookie?: string;
    csrfTokenVerified?: boolean;
  };
};

const secret = "a-session-secret";

describe("the sign-in form's CSRF token", () => {
  it("is one next-auth accepts: our cookie and token verify in next-auth's own check", () => {
    const { token, cookie } = csrfToken(undefined, secret);
    expect(cookie).toBeDefined();
    const checked = nextAuth.createCSRFToken({
      options: { secret },
      cookieValue: cookie,
      isPost: true,
      bodyValue: token,
    });
    expect(checked.csrfTokenVerified).toBe(true);
    expect(checked.cookie).toBeUndefined();
  });

  it("reuses next-auth's cookie as it is, and replaces one that does not verify", () => {
    const made = nextAuth.createCSRFToken({ options: { secret }, isPost: false });
    expect(csrfToken(made.cookie, secret)).toEqual({ token: made.csrfToken });
    const forged = `${"a".repeat(64)}|${"b".repeat(64)}`;
    const replaced = csrfToken(forged, secret);
    expect(replaced.token).not.toBe("a".repeat(64));
    expect(replaced.cookie).toBeDefined();
    expect(csrfToken(made.cookie, "another-secret").cookie).toBeDefined();
    expect(csrfToken("garbage", secret).cookie).toBeDefined();
  });

  it("uses next-auth's cookie name: __Host- on https", () => {
    expect(csrfCookie("http://localhost:3000")).toEqual({ name: "next-auth.csrf-token", secure: false });
    expect(csrfCookie("https://auth.example.com")).toEqual({ name: "__Host-next-auth.csrf-token", secure: true });
  });
});
