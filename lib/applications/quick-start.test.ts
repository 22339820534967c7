import { describe, expect, it } from "vitest";
import { initialFormValues } from "./form-values.ts";
import { parseApplicationInput } from "./schema.ts";
import { builtInScopes } from "../oauth/scope.ts";
import { quickStart } from "./quick-start.ts";

function settings(raw: Record<string, unknown>) {
  const parsed = parseApplicationInput({ ...initialFormValues(), name: "App", ...raw }, builtInScopes);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return { ...parsed.data, clientId: "pc_abc" };
}

describe("quickStart", () => {
  it("gives a code-flow app an authorize URL with its first redirect URI and PKCE", () => {
    const start = quickStart(
      settings({ redirectUris: "https://a.example.com/cb\nhttps://b.example.com/cb" }),
      "https://id.example.com",
    );
    expect(start.discoveryUrl).toBe("https://id.example.com/.well-known/openid-configuration");
    const url = new URL(start.authorizeUrl!);
    expect(url.origin + url.pathname).toBe("https://id.example.com/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toMatchObject({
      response_type: "code",
      client_id: "pc_abc",
      redirect_uri: "https://a.example.com/cb",
      scope: "openid profile email",
      code_challenge_method: "S256",
    });
    expect(start.snippets.map((snippet) => snippet.id)).toEqual(["openid-client", "next-auth", "oidc-config"]);
    // The secret is never in a snippet: it comes from the environment.
    expect(start.snippets.find((snippet) => snippet.id === "next-auth")!.code).toContain(
      "clientSecret: process.env.PORTCULLIS_CLIENT_SECRET",
    );
  });

  it("gives a machine-to-machine app curl and no authorize URL", () => {
    const start = quickStart(settings({ grantTypes: ["client_credentials"] }), "https://id.example.com");
    expect(start.authorizeUrl).toBeNull();
    expect(start.snippets.map((snippet) => snippet.id)).toEqual(["curl", "openid-client", "oidc-config"]);
    expect(start.snippets[0]!.code).toContain("https://id.example.com/oauth/token");
    expect(start.snippets[0]!.code).toContain("grant_type=client_credentials");
    expect(JSON.parse(start.snippets[2]!.code)).toMatchObject({
      client_id: "pc_abc",
      token_endpoint_auth_method: "client_secret_basic",
    });
  });

  it("tells a public client's config that it has no secret", () => {
    const start = quickStart(
      settings({ clientType: "public", redirectUris: "https://spa.example.com/cb" }),
      "https://id.example.com",
    );
    expect(JSON.parse(start.snippets.at(-1)!.code).token_endpoint_auth_method).toBe("none");
    expect(start.snippets.find((snippet) => snippet.id === "next-auth")!.code).not.toContain("clientSecret");
  });
});
