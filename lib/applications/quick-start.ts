/**
 * What a developer needs to connect an app to this server, filled with the app's own values: the
 * discovery URL, a ready authorize URL, and snippets for curl, openid-client, next-auth and a
 * generic OpenID Connect client. Secrets are never known here (only their digests are stored):
 * snippets read them from the environment.
 */
import { endpointsFor } from "../oauth/endpoints.ts";
import type { ApplicationSettings } from "./fields.ts";

export interface Snippet {
  id: "curl" | "openid-client" | "next-auth" | "oidc-config";
  label: string;
  code: string;
}

export interface QuickStart {
  discoveryUrl: string;
  /** For the code flow: an authorize URL with this app's first redirect URI; null without one. */
  authorizeUrl: string | null;
  snippets: Snippet[];
}

const secretVariable = "PORTCULLIS_CLIENT_SECRET";

/** The scopes a sign-in asks for: OpenID's when the app may use them, else what it may use. */
function scopesFor(app: ApplicationSettings): string {
  const wanted = ["openid", "profile", "email"];
  if (app.allowedScopes.length === 0) return app.algorithm === "RS256" ? wanted.join(" ") : "profile email";
  const allowed = wanted.filter((scope) => app.allowedScopes.includes(scope));
  return (allowed.length > 0 ? allowed : app.allowedScopes).join(" ");
}

export function quickStart(app: ApplicationSettings & { clientId: string }, issuer: string): QuickStart {
  const endpoints = endpointsFor(issuer);
  const confidential = app.clientType === "confidential";
  const codeFlow = app.grantTypes.includes("authorization_code");
  const redirectUri = app.redirectUris[0] ?? null;
  const scope = scopesFor(app);
  const authorizeUrl =
    codeFlow && redirectUri
      ? `${endpoints.authorization}?${new URLSearchParams({
          response_type: "code",
          client_id: app.clientId,
          redirect_uri: redirectUri,
          scope,
          state: "STATE",
          code_challenge: "CODE_CHALLENGE",
          code_challenge_method: "S256",
        })}`
      : null;
  const snippets: Snippet[] = [];

  if (app.grantTypes.includes("client_credentials")) {
    snippets.push({
      id: "curl",
      label: "curl: a token with client credentials",
      code: [
        `curl -s ${endpoints.token} \\`,
        `  -u '${app.clientId}':"$${secretVariable}" \\`,
        `  -d grant_type=client_credentials`,
      ].join("\n"),
    });
  }

  const clientAuth = confidential ? `, process.env.${secretVariable}` : "";
  snippets.push({
    id: "openid-client",
    label: "Node: openid-client",
    code: codeFlow
      ? [
          `import * as client from "openid-client";`,
          ``,
          `const config = await client.discovery(new URL("${issuer}"), "${app.clientId}"${clientAuth});`,
          `const verifier = client.randomPKCECodeVerifier();`,
          `const url = client.buildAuthorizationUrl(config, {`,
          `  redirect_uri: "${redirectUri ?? "https://app.example.com/callback"}",`,
          `  scope: "${scope}",`,
          `  code_challenge: await client.calculatePKCECodeChallenge(verifier),`,
          `  code_challenge_method: "S256",`,
          `});`,
          `// Send the user to url; back at the redirect URI:`,
          `const tokens = await client.authorizationCodeGrant(config, currentUrl, { pkceCodeVerifier: verifier });`,
        ].join("\n")
      : [
          `import * as client from "openid-client";`,
          ``,
          `const config = await client.discovery(new URL("${issuer}"), "${app.clientId}"${clientAuth});`,
          `const tokens = await client.clientCredentialsGrant(config);`,
        ].join("\n"),
  });

  if (codeFlow) {
    snippets.push({
      id: "next-auth",
      label: "next-auth: a provider",
      code: [
        `{`,
        `  id: "portcullis",`,
        `  name: "Portcullis",`,
        `  type: "oauth",`,
        `  wellKnown: "${endpoints.openidConfiguration}",`,
        `  clientId: "${app.clientId}",`,
        confidential
          ? `  clientSecret: process.env.${secretVariable},`
          : `  client: { token_endpoint_auth_method: "none" },`,
        `  authorization: { params: { scope: "${scope}" } },`,
        `  checks: ["pkce", "state"],`,
        `  idToken: ${app.algorithm === "RS256"},`,
        `  profile: (claims) => ({ id: claims.sub, name: claims.name, email: claims.email }),`,
        `}`,
      ].join("\n"),
    });
  }

  snippets.push({
    id: "oidc-config",
    label: "Any OpenID Connect client",
    code: JSON.stringify(
      {
        issuer,
        discovery_url: endpoints.openidConfiguration,
        client_id: app.clientId,
        token_endpoint_auth_method: confidential ? "client_secret_basic" : "none",
        grant_types: app.grantTypes,
        ...(redirectUri ? { redirect_uri: redirectUri } : {}),
        scope,
        ...(codeFlow ? { code_challenge_method: "S256" } : {}),
      },
      null,
      2,
    ),
  });
  return { discoveryUrl: endpoints.openidConfiguration, authorizeUrl, snippets };
}
