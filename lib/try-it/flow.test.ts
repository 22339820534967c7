import { describe, expect, it } from "vitest";
import { builtInScopes } from "../oauth/scope.ts";
import { checkCallback, responseFrom } from "./callback.ts";
import { flowLifetimeSeconds, openFlow, sameState, sealFlow, type TryItFlow } from "./flow.ts";
import { chosenScopes, scopeChoices } from "./scopes.ts";

const secret = "a-server-secret-of-some-length-0123456789";
const flow: TryItFlow = {
  applicationId: "app1",
  clientId: "client1",
  userId: "admin1",
  state: "state-abc",
  nonce: "nonce-xyz",
  codeVerifier: "v".repeat(43),
  scope: "openid email",
};

describe("the flow cookie", () => {
  it("opens what it sealed, and nothing else", async () => {
    const sealed = await sealFlow(flow, secret);
    expect(sealed).not.toContain(flow.codeVerifier);
    expect(await openFlow(sealed, secret)).toEqual(flow);
    expect(await openFlow(sealed, `${secret}-other`)).toBeNull();
    const [header, key, iv, text, tag] = sealed.split(".");
    const flipped = `${text!.startsWith("A") ? "B" : "A"}${text!.slice(1)}`;
    expect(await openFlow([header, key, iv, flipped, tag].join("."), secret)).toBeNull();
    expect(await openFlow(undefined, secret)).toBeNull();
    expect(await openFlow("not a cookie", secret)).toBeNull();
  });

  it("expires after its lifetime", async () => {
    const start = new Date("2026-12-03T10:00:00Z");
    const sealed = await sealFlow(flow, secret, start);
    const justBefore = new Date(start.getTime() + (flowLifetimeSeconds - 5) * 1000);
    const after = new Date(start.getTime() + (flowLifetimeSeconds + 5) * 1000);
    expect(await openFlow(sealed, secret, justBefore)).toEqual(flow);
    expect(await openFlow(sealed, secret, after)).toBeNull();
  });

  it("compares states whatever their lengths", () => {
    expect(sameState("state-abc", "state-abc")).toBe(true);
    expect(sameState("state-abc", "state-abd")).toBe(false);
    expect(sameState("state-abc", "state-abc-longer")).toBe(false);
    expect(sameState("state-abc", "")).toBe(false);
    expect(sameState("state-abc", null)).toBe(false);
  });
});

describe("the callback's checks", () => {
  const answer = (query: Record<string, string>) => new URLSearchParams(query);

  it("accepts the code that answers this browser's flow", () => {
    expect(checkCallback(flow, "admin1", answer({ code: "pcc_x", state: "state-abc" }))).toMatchObject({
      ok: true,
      outcome: "code",
    });
  });

  it("passes on the authorization server's refusal once the state matches", () => {
    expect(
      checkCallback(flow, "admin1", answer({ error: "access_denied", error_description: "No", state: "state-abc" })),
    ).toMatchObject({ ok: true, outcome: "error", error: "access_denied", description: "No" });
  });

  it.each([
    ["no flow in this browser", null, "admin1", { code: "c", state: "state-abc" }, "no_flow"],
    ["another admin's flow", flow, "admin2", { code: "c", state: "state-abc" }, "other_admin"],
    ["a changed state", flow, "admin1", { code: "c", state: "state-abX" }, "state_mismatch"],
    ["no state", flow, "admin1", { code: "c" }, "state_mismatch"],
    ["an error with another state", flow, "admin1", { error: "access_denied", state: "x" }, "state_mismatch"],
    ["neither code nor error", flow, "admin1", { state: "state-abc" }, "no_code"],
  ] as const)("refuses %s", (_name, cookieFlow, userId, query, problem) => {
    const check = checkCallback(cookieFlow, userId, answer(query));
    expect(check).toMatchObject({ ok: false, problem });
    expect(!check.ok && check.message).toMatch(/Nothing was exchanged/);
  });

  it("reads a page's search parameters back into the query", () => {
    expect(responseFrom({ code: "a b", state: ["s1", "s2"], gone: undefined }).toString()).toBe(
      "code=a+b&state=s1&state=s2",
    );
  });
});

describe("the scopes Try it offers", () => {
  it("offers the app's allowed scopes, openid only with signed ID tokens, none needing a user to client credentials", () => {
    expect(
      scopeChoices({ allowedScopes: ["openid", "email", "read", "offline_access"], algorithm: "RS256" }, builtInScopes),
    ).toEqual({
      codeFlow: ["openid", "email", "read", "offline_access"],
      codeFlowDefaults: ["openid", "email"],
      clientCredentials: ["email", "read"],
    });
    expect(scopeChoices({ allowedScopes: ["openid", "read"], algorithm: "none" }, builtInScopes)).toEqual({
      codeFlow: ["read"],
      codeFlowDefaults: ["read"],
      clientCredentials: ["read"],
    });
  });

  it("offers the whole catalogue when the app allows every scope, leaving out what the catalogue lost", () => {
    expect(scopeChoices({ allowedScopes: [], algorithm: "RS256" }, builtInScopes).codeFlow).toEqual(
      Object.keys(builtInScopes),
    );
    expect(scopeChoices({ allowedScopes: ["gone", "read"], algorithm: "RS256" }, builtInScopes).codeFlow).toEqual([
      "read",
    ]);
  });

  it("reads back only offered scopes, in their order", () => {
    expect(chosenScopes(["email", "openid", "email"], ["openid", "email", "read"])).toEqual(["openid", "email"]);
    expect(chosenScopes([], ["openid"])).toEqual([]);
    expect(chosenScopes(["admin"], ["openid"])).toBeNull();
  });
});
