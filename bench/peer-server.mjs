// The peer for bench/run.ts: node-oidc-provider (the OpenID Certified Node library, a devDependency)
// with its default in-memory storage, serving the same client_credentials request the token runs
// send (client_secret_basic, scope "read"), so each run prints Portcullis ÷ oidc-provider from one
// machine at one moment. Its signing key is generated at start, as a deployment would configure one.
// Usage: node bench/peer-server.mjs <port> <client-id> <client-secret>
import { exportJWK, generateKeyPair } from "jose";
import Provider from "oidc-provider";

const [port, clientId, clientSecret] = [Number(process.argv[2] ?? 3993), process.argv[3], process.argv[4]];
const { privateKey } = await generateKeyPair("RS256", { extractable: true });
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      grant_types: ["client_credentials"],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: "client_secret_basic",
      scope: "read write",
    },
  ],
  scopes: ["read", "write"],
  features: { clientCredentials: { enabled: true }, devInteractions: { enabled: false } },
  jwks: { keys: [{ ...(await exportJWK(privateKey)), kid: "bench", alg: "RS256", use: "sig" }] },
  cookies: { keys: [clientSecret] },
  // Portcullis's default access token lifetime.
  ttl: { ClientCredentials: 3600 },
});
provider.listen(port, () => console.log(`oidc-provider on ${port}`));
