import { describe, expect, it } from "vitest";
import { builtInScopes, catalogueFromEnv, covers, formatScope, isScopeToken, parseScope } from "./scope.ts";

describe("isScopeToken (RFC 6749 §3.3: %x21 / %x23-5B / %x5D-7E)", () => {
  it("accepts every allowed printable ASCII character", () => {
    const allowed: string[] = [];
    for (let code = 0x21; code <= 0x7e; code++)
      if (code !== 0x22 && code !== 0x5c) allowed.push(String.fromCharCode(code));
    expect(allowed).toHaveLength(92);
    for (const char of allowed) expect(isScopeToken(char), JSON.stringify(char)).toBe(true);
    expect(isScopeToken(allowed.join(""))).toBe(true);
    expect(isScopeToken("https://api.example.com/orders.read")).toBe(true);
  });

  it("rejects the double quote, the backslash, space, controls, DEL and non-ASCII", () => {
    for (const bad of ['"', "\\", " ", "\t", "\n", "\x00", "\x7f", "é", "ü", "\u00a0", "スコープ", "😀", ""]) {
      expect(isScopeToken(bad), JSON.stringify(bad)).toBe(false);
      if (bad !== "") expect(isScopeToken(`read${bad}write`), JSON.stringify(bad)).toBe(false);
    }
  });
});

describe("parseScope", () => {
  it("splits on spaces, keeping the order given", () => {
    expect(parseScope("openid profile email")).toEqual(["openid", "profile", "email"]);
    expect(parseScope("write read")).toEqual(["write", "read"]);
    expect(parseScope("api:orders.read")).toEqual(["api:orders.read"]);
  });

  it("drops repeated scopes, keeping the first", () => {
    expect(parseScope("read write read openid write")).toEqual(["read", "write", "openid"]);
  });

  it("treats a missing or empty parameter as no scopes", () => {
    expect(parseScope(undefined)).toEqual([]);
    expect(parseScope(null)).toEqual([]);
    expect(parseScope("")).toEqual([]);
  });

  it("does not produce empty tokens from leading, trailing or repeated spaces", () => {
    const parsed = parseScope(" openid  profile ");
    expect(parsed).toEqual(["openid", "profile"]);
  });

  it("splits only on the space character: tabs and newlines make the request invalid", () => {
    expect(parseScope("openid\tprofile")).toBeNull();
    expect(parseScope("openid\nprofile")).toBeNull();
    expect(parseScope("openid\u00a0profile")).toBeNull();
  });

  it.each(['openid "profile"', "openid pro\\file", "openid café", "openid 🔑"])("rejects %j", (raw) => {
    expect(parseScope(raw)).toBeNull();
  });
});

describe("formatScope", () => {
  it("sorts, de-duplicates and joins with single spaces", () => {
    expect(formatScope(["profile", "openid", "email", "openid"])).toBe("email openid profile");
    expect(formatScope(new Set(["write", "read"]))).toBe("read write");
    expect(formatScope([])).toBe("");
  });

  it("round-trips through parseScope to the same set", () => {
    const scopes = ["openid", "api:write", "api:read", "email"];
    expect(new Set(parseScope(formatScope(scopes)))).toEqual(new Set(scopes));
    expect(formatScope(parseScope(formatScope(scopes)) ?? [])).toBe(formatScope(scopes));
  });
});

describe("covers", () => {
  it("is true when every requested scope was granted", () => {
    expect(covers(["openid", "profile", "email"], ["profile", "openid"])).toBe(true);
    expect(covers(["openid"], ["openid", "openid"])).toBe(true);
    expect(covers(["openid"], [])).toBe(true);
    expect(covers([], [])).toBe(true);
  });

  it("is false when any requested scope is missing", () => {
    expect(covers(["openid", "profile"], ["openid", "email"])).toBe(false);
    expect(covers([], ["openid"])).toBe(false);
    // Exact names only: no prefix or case folding.
    expect(covers(["api"], ["api:read"])).toBe(false);
    expect(covers(["OpenID"], ["openid"])).toBe(false);
  });

  it("accepts any iterables", () => {
    expect(covers(new Set(["a", "b"]), new Set(["b"]))).toBe(true);
    expect(covers("ab".split(""), ["c"])).toBe(false);
  });
});

describe("catalogueFromEnv", () => {
  it("is the built-in catalogue when unset or blank", () => {
    for (const raw of [undefined, "", "   "]) expect(catalogueFromEnv(raw)).toEqual(builtInScopes);
    expect(Object.keys(builtInScopes)).toEqual(
      expect.arrayContaining(["openid", "profile", "email", "offline_access"]),
    );
  });

  it("returns a copy: changing it leaves the built-ins alone", () => {
    const catalogue = catalogueFromEnv(undefined);
    catalogue.extra = { description: "Extra" };
    delete catalogue.openid;
    expect(builtInScopes.extra).toBeUndefined();
    expect(builtInScopes.openid).toBeDefined();
  });

  it("adds the scopes of a JSON object to the built-ins", () => {
    const catalogue = catalogueFromEnv(JSON.stringify({ "api:read": "Read your orders", "api:write": "Place orders" }));
    expect(catalogue["api:read"]).toEqual({ description: "Read your orders" });
    expect(catalogue["api:write"]).toEqual({ description: "Place orders" });
    for (const [name, description] of Object.entries(builtInScopes)) expect(catalogue[name]).toEqual(description);
    expect(Object.keys(catalogue)).toHaveLength(Object.keys(builtInScopes).length + 2);
  });

  it("lets an operator reword a built-in scope", () => {
    expect(catalogueFromEnv('{"email": "See the email address you signed up with"}').email).toEqual({
      description: "See the email address you signed up with",
    });
  });

  it.each([
    ["invalid JSON", "{api:read: yes}"],
    ["truncated JSON", '{"api:read": "Read"'],
    ["a JSON array", '["api:read"]'],
    ["JSON null", "null"],
    ["a JSON string", '"api:read"'],
    ["a JSON number", "42"],
  ])("throws on %s, naming the variable", (_label, raw) => {
    expect(() => catalogueFromEnv(raw)).toThrow(/PORTCULLIS_SCOPES/);
  });

  it.each([
    ["a name with a space", { "api read": "Read" }],
    ["a name with a double quote", { 'api"read': "Read" }],
    ["a name with a backslash", { "api\\read": "Read" }],
    ["a non-ASCII name", { "lecture:café": "Read" }],
    ["an empty name", { "": "Read" }],
    ["a description that is not a string", { "api:read": 1 }],
    ["an object description", { "api:read": { description: "Read" } }],
    ["an empty description", { "api:read": "" }],
    ["a blank description", { "api:read": "   " }],
  ])("throws on %s, naming the scope", (_label, value) => {
    const name = Object.keys(value)[0]!;
    expect(() => catalogueFromEnv(JSON.stringify(value))).toThrow(/PORTCULLIS_SCOPES/);
    expect(() => catalogueFromEnv(JSON.stringify(value))).toThrow(`"${name}"`);
  });
});
