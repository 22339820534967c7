/**
 * The full authorization-code flow as a browser and a public client run it, for bench/run.ts: a
 * signed-in user's GET /oauth/authorize for a trusted application (answered with a code and a
 * redirect), then the client's POST /oauth/token with the code and its PKCE verifier (answered with
 * an access token, a refresh token and an RS256 ID token). `concurrency` flows run side by side,
 * each starting its next as soon as the last ends, for `durationMs`; every flow is checked.
 */
import { createHash, randomBytes } from "node:crypto";

export interface CodeFlowTarget {
  baseUrl: string;
  cookie: string;
  clientId: string;
  redirectUri: string;
}

export interface CodeFlowResult {
  flows: number;
  flowsPerSec: number;
  /** Milliseconds for the whole flow, and for each hop, per flow. */
  flow: { p50: number; p99: number; max: number };
  authorizeP50: number;
  tokenP50: number;
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.max(0, Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

async function oneFlow(target: CodeFlowTarget): Promise<{ authorize: number; token: number }> {
  const verifier = randomBytes(32).toString("base64url");
  const challenge = createHash("sha256").update(verifier).digest("base64url");
  const state = randomBytes(8).toString("base64url");
  const authorizeUrl = `${target.baseUrl}/oauth/authorize?${new URLSearchParams({
    response_type: "code",
    client_id: target.clientId,
    redirect_uri: target.redirectUri,
    scope: "openid profile",
    state,
    nonce: state,
    code_challenge: challenge,
    code_challenge_method: "S256",
  })}`;
  const started = performance.now();
  const redirect = await fetch(authorizeUrl, { headers: { cookie: target.cookie }, redirect: "manual" });
  await redirect.arrayBuffer();
  const location = new URL(redirect.headers.get("location") ?? "", target.baseUrl);
  const code = location.searchParams.get("code");
  if (redirect.status !== 302 || !code || location.searchParams.get("state") !== state)
    throw new Error(`authorize answered ${redirect.status} ${location}`);
  const authorized = performance.now();
  const response = await fetch(`${target.baseUrl}/oauth/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code,
      redirect_uri: target.redirectUri,
      client_id: target.clientId,
      code_verifier: verifier,
    }),
  });
  const body = (await response.json()) as { access_token?: string; id_token?: string };
  if (response.status !== 200 || !body.access_token || !body.id_token)
    throw new Error(`token endpoint answered ${response.status}: ${JSON.stringify(body)}`);
  return { authorize: authorized - started, token: performance.now() - authorized };
}

export async function measureCodeFlow(
  target: CodeFlowTarget,
  concurrency: number,
  durationMs: number,
  warmupMs: number,
): Promise<CodeFlowResult> {
  const run = async (until: number, into: { authorize: number; token: number }[] | null) => {
    const worker = async () => {
      while (performance.now() < until) {
        const timing = await oneFlow(target);
        into?.push(timing);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  };
  await run(performance.now() + warmupMs, null);
  const timings: { authorize: number; token: number }[] = [];
  const started = performance.now();
  await run(started + durationMs, timings);
  const elapsed = performance.now() - started;
  const flows = timings.map((t) => t.authorize + t.token).sort((a, b) => a - b);
  const authorize = timings.map((t) => t.authorize).sort((a, b) => a - b);
  const token = timings.map((t) => t.token).sort((a, b) => a - b);
  return {
    flows: flows.length,
    flowsPerSec: Math.round((flows.length / elapsed) * 1000),
    flow: { p50: quantile(flows, 0.5), p99: quantile(flows, 0.99), max: quantile(flows, 1) },
    authorizeP50: quantile(authorize, 0.5),
    tokenP50: quantile(token, 0.5),
  };
}
