/**
 * The protocol endpoints through Next's route handlers (what `next dev` serves; `npm start` is
 * covered by e2e/database-outage.spec.ts) while the database cannot be reached: 503 with
 * Retry-After and temporarily_unavailable, never a 500.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as jwks from "@/app/oauth/jwks/route";
import * as deviceAuthorization from "@/app/oauth/device_authorization/route";
import * as token from "@/app/oauth/token/route";
import * as revoke from "@/app/oauth/revoke/route";
import { db } from "@/lib/db/client";

const saved = { DATABASE_URL: process.env.DATABASE_URL, PORTCULLIS_DATA_DIR: process.env.PORTCULLIS_DATA_DIR };
let dataDir: string;

beforeAll(async () => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  dataDir = mkdtempSync(path.join(tmpdir(), "portcullis-outage-"));
  // Nothing listens there: every connection is refused.
  process.env.DATABASE_URL = `postgresql://postgres@127.0.0.1:${port}/portcullis`;
  process.env.PORTCULLIS_DATA_DIR = dataDir;
});

afterAll(async () => {
  await db().$disconnect();
  rmSync(dataDir, { recursive: true, force: true });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

const basic = `Basic ${Buffer.from("some-client:some-secret").toString("base64")}`;

function post(url: string, body: string) {
  return new Request(`http://localhost:3000${url}`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: basic },
    body,
  });
}

async function expectUnavailable(response: Response) {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toBe("5");
  expect(response.headers.get("cache-control")).toBe("no-store");
  expect(await response.json()).toEqual({
    error: "temporarily_unavailable",
    error_description: "The server is temporarily unavailable; try again shortly",
  });
}

describe("the database out of reach", () => {
  it("token, device authorization and revocation requests get 503 + Retry-After, temporarily_unavailable", async () => {
    await expectUnavailable(await token.POST(post("/oauth/token", "grant_type=client_credentials")));
    await expectUnavailable(await revoke.POST(post("/oauth/revoke", "token=pca_whatever")));
    await expectUnavailable(
      await token.POST(
        post("/oauth/token", "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=pcd_x"),
      ),
    );
    await expectUnavailable(await deviceAuthorization.POST(post("/oauth/device_authorization", "scope=openid")));
  });

  it("the JWKS, whose keys were never read, too (its origin check included)", async () => {
    await expectUnavailable(await jwks.GET(new Request("http://localhost:3000/oauth/jwks")));
    await expectUnavailable(
      await jwks.GET(new Request("http://localhost:3000/oauth/jwks", { headers: { origin: "https://rp.example" } })),
    );
  });
});
