import { describe, expect, it } from "vitest";
import { safeReturnPath } from "./return-path.ts";

describe("safeReturnPath", () => {
  it.each(["/admin", "/oauth/authorize?client_id=a&redirect_uri=https%3A%2F%2Fx.example%2Fcb", "/account#apps"])(
    "keeps a path on this site: %s",
    (path) => expect(safeReturnPath(path)).toBe(path),
  );

  it.each([
    null,
    undefined,
    "",
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "/%09/evil.example/phish",
    "/\t/evil.example/phish",
    "/\n/evil.example",
    "/\r\n//evil.example",
    "javascript:alert(1)",
    "evil.example",
    // Dot segments resolve away and leave "//host": a scheme-relative URL.
    "/.//evil.example/x",
    "/../..//evil.example/x",
    "/a/..//evil.example/x",
    "/%2e//evil.example/x",
    "/%2E%2E//evil.example/x",
    "/.%2e//evil.example/x",
    "/./%2e/..//evil.example/x",
  ])("sends anything that could leave the site to /: %j", (value) => {
    // Percent-encoded control characters are decoded by Next before we see them, as in the tab case.
    expect(safeReturnPath(value === "/%09/evil.example/phish" ? decodeURIComponent(value) : value)).toBe("/");
  });

  it("resolves harmless dot segments to the path they name", () => {
    expect(safeReturnPath("/admin/../account")).toBe("/account");
  });

  it("accepts an absolute URL only on the given origin, as a path", () => {
    const own = "http://localhost:3000";
    expect(safeReturnPath("http://localhost:3000/oauth/authorize?x=1", own)).toBe("/oauth/authorize?x=1");
    expect(safeReturnPath("http://localhost:3000", own)).toBe("/");
    expect(safeReturnPath("http://localhost:3000/.//evil.example/x", own)).toBe("/");
    expect(safeReturnPath("http://localhost:3000//evil.example/x", own)).toBe("/");
    expect(safeReturnPath("http://localhost:3001/account", own)).toBe("/");
    expect(safeReturnPath("https://localhost:3000/account", own)).toBe("/");
    expect(safeReturnPath("http://localhost:3000/account")).toBe("/");
  });
});
