import { describe, expect, it } from "vitest";
import type { ProtocolContext } from "../oauth/context.ts";
import { OAuthError } from "../oauth/errors.ts";
import { pageAuthorizationOutcome, withDecidedOutcome, type AuthorizationOutcome } from "./authorization.ts";

// Deciding would read these; a page handed its outcome must not.
const untouchable = new Proxy({} as ProtocolContext, {
  get: (_target, name) => {
    throw new Error(`the page decided again (read ctx.${String(name)})`);
  },
});
const noCookies = () => Promise.reject(new Error("the page read the cookies again"));

describe("the authorize page's outcome", () => {
  it("is the one server.ts decided for this request, through every await of the render", async () => {
    const decided: AuthorizationOutcome = { kind: "error", error: new OAuthError("invalid_request", "no client_id") };
    const seen = await withDecidedOutcome(decided, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      return pageAuthorizationOutcome(untouchable, new URLSearchParams(), noCookies);
    });
    expect(seen).toBe(decided);
  });

  it("is decided by the page when nothing was handed over (next dev, or server.ts failed)", async () => {
    await expect(pageAuthorizationOutcome(untouchable, new URLSearchParams(), noCookies)).rejects.toThrow(
      "the page read the cookies again",
    );
  });

  it("does not outlive the request it was decided for", async () => {
    const decided: AuthorizationOutcome = { kind: "unavailable" };
    await withDecidedOutcome(decided, async () => undefined);
    await expect(pageAuthorizationOutcome(untouchable, new URLSearchParams(), noCookies)).rejects.toThrow(
      "the page read the cookies again",
    );
  });
});
