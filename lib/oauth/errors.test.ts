import { describe, expect, it } from "vitest";
import type * as Errors from "./errors.ts";
import { OAuthError } from "./errors.ts";
import { respond } from "./http.ts";

/**
 * Next's build runs its own copy of lib/ beside server.ts's: a second instance of errors.ts (a
 * distinct module id) stands in for it.
 */
async function otherCopy(): Promise<typeof OAuthError> {
  const anotherCopy = "./errors.ts?another-copy";
  const module = (await import(anotherCopy)) as typeof Errors;
  return module.OAuthError;
}

describe("OAuthError made by another copy of the module", () => {
  it("is a different class, yet recognised as an OAuthError", async () => {
    const OtherOAuthError = await otherCopy();
    expect(OtherOAuthError).not.toBe(OAuthError);
    const error = new OtherOAuthError("invalid_client", "Too many failed attempts", { status: 429 });
    expect(error instanceof OAuthError).toBe(true);
    expect(new OAuthError("invalid_grant", "x") instanceof OtherOAuthError).toBe(true);
  });

  it("is answered with its own status and headers by the other copy's endpoint runner", async () => {
    const OtherOAuthError = await otherCopy();
    const response = await respond(async () => {
      throw new OtherOAuthError("invalid_client", "Too many failed attempts; try again later", {
        status: 429,
        headers: { "Retry-After": "300" },
      });
    });
    expect(response.status).toBe(429);
    expect(response.headers["Retry-After"]).toBe("300");
    expect(JSON.parse(response.body as string)).toMatchObject({ error: "invalid_client" });
  });

  it("is not claimed by errors that only look alike", () => {
    const lookalike = Object.assign(new Error("invalid_client"), { code: "invalid_client", status: 429 });
    expect(lookalike instanceof OAuthError).toBe(false);
    for (const value of [null, undefined, "invalid_client", 429] as unknown[]) {
      expect(value instanceof OAuthError).toBe(false);
    }
  });
});
