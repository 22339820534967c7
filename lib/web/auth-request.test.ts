import { describe, expect, it } from "vitest";
import { refuseAuthRequest, type AuthRequest } from "./auth-request.ts";

const request = (path: string, overrides: Partial<AuthRequest> = {}): AuthRequest => {
  const url = new URL(path, "http://auth.example");
  return {
    method: "GET",
    url,
    segments: url.pathname.split("/").slice(3).map(decodeURIComponent),
    contentType: null,
    callbackUrlCookie: undefined,
    bodyCallbackUrls: [],
    ...overrides,
  };
};

describe("refuseAuthRequest", () => {
  it.each([
    "/api/auth/session",
    "/api/auth/csrf",
    "/api/auth/signin?callbackUrl=%2Fadmin",
    "/api/auth/signin?callbackUrl=https%3A%2F%2Fauth.example%2Faccount",
    "/api/auth/error?error=CredentialsSignin",
    "/api/auth/error?error=",
  ])("passes %s", (path) => expect(refuseAuthRequest(request(path))).toBeNull());

  it("passes the sign-in form's POST", () =>
    expect(
      refuseAuthRequest(
        request("/api/auth/callback/credentials", { method: "POST", contentType: "application/x-www-form-urlencoded" }),
      ),
    ).toBeNull());

  it.each([
    ["/api/auth/session?callbackUrl=%3A%3A%3A%3A", 400],
    ["/api/auth/signin?callbackUrl=javascript%3Aalert(1)", 400],
    ["/api/auth/error?error=%E4%B8%AD", 400],
    ["/api/auth/error?error=a%0d%0aSet-Cookie%3A%20x", 400],
    ["/api/auth/error/%E4%B8%AD", 400],
    ["/api/auth/callback/credentials", 405],
    ["/api/auth/signin/credentials/x", 404],
  ])("refuses %s with %i", (path, status) => expect(refuseAuthRequest(request(path))).toMatchObject({ status }));

  it("refuses a callbackUrl in a form body that is not a URL", () => {
    const post = (bodyCallbackUrls: string[]) =>
      refuseAuthRequest(
        request("/api/auth/signout", {
          method: "POST",
          contentType: "application/x-www-form-urlencoded",
          bodyCallbackUrls,
        }),
      );
    expect(post(["opmz#9.v0O"])).toMatchObject({ status: 400 });
    expect(post(["/admin"])).toBeNull();
  });

  it("refuses a callback URL cookie that is not a URL, and JSON bodies", () => {
    expect(refuseAuthRequest(request("/api/auth/session", { callbackUrlCookie: "%%" }))).toMatchObject({ status: 400 });
    expect(
      refuseAuthRequest(request("/api/auth/csrf", { method: "POST", contentType: "application/json" })),
    ).toMatchObject({ status: 415 });
  });
});
