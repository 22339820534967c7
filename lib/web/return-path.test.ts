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
  ])("sends anything that could leave the site to /: %j", (value) => {
    // Percent-encoded control characters are decoded by Next before we see them, as in the tab case.
    expect(safeReturnPath(value === "/%09/evil.example/phish" ? decodeURIComponent(value) : value)).toBe("/");
  });
});
