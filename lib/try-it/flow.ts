/**
 * The state of one Try it sign-in (lib/try-it/client.ts), kept in the admin's browser between
 * starting the flow and its callback: the state, nonce and PKCE verifier a relying party keeps in
 * its session. It travels in a short-lived cookie, encrypted (JWE, A256GCM) with a key derived from
 * the server's secret, so the browser can neither read the verifier nor forge a flow; the cookie is
 * httpOnly, SameSite=Lax and scoped to /admin/try-it. A client secret never goes in it.
 */
import { createHash, hkdfSync, timingSafeEqual } from "node:crypto";
import { EncryptJWT, jwtDecrypt } from "jose";
import { z } from "zod";

/** Ten minutes: time to read a consent screen, not a token to keep. */
export const flowLifetimeSeconds = 600;
export const flowCookiePath = "/admin/try-it";

/** `__Secure-` when the public URL is https, as the session cookie does. */
export function flowCookieName(secure: boolean): string {
  return `${secure ? "__Secure-" : ""}portcullis-try-it`;
}

const flowSchema = z.object({
  applicationId: z.string().min(1).max(100),
  clientId: z.string().min(1).max(200),
  /** The admin who started it: the callback answers only them. */
  userId: z.string().min(1).max(100),
  state: z.string().min(1).max(200),
  /** Sent when openid was asked for. */
  nonce: z.string().min(1).max(200).nullable(),
  codeVerifier: z.string().min(43).max(128),
  scope: z.string().max(2000),
});

export type TryItFlow = z.infer<typeof flowSchema>;

const keyInfo = "portcullis try-it flow cookie v1";

function keyFrom(secret: string): Uint8Array {
  return new Uint8Array(hkdfSync("sha256", secret, "", keyInfo, 32));
}

export async function sealFlow(flow: TryItFlow, secret: string, now = new Date()): Promise<string> {
  const seconds = Math.floor(now.getTime() / 1000);
  return new EncryptJWT({ flow: flowSchema.parse(flow) })
    .setProtectedHeader({ alg: "dir", enc: "A256GCM" })
    .setIssuedAt(seconds)
    .setExpirationTime(seconds + flowLifetimeSeconds)
    .encrypt(keyFrom(secret));
}

/** The flow a cookie holds, or null: none, expired, tampered with, or sealed with another secret. */
export async function openFlow(value: string | undefined, secret: string, now = new Date()): Promise<TryItFlow | null> {
  if (!value || value.length > 8192) return null;
  try {
    const { payload } = await jwtDecrypt(value, keyFrom(secret), {
      currentDate: now,
      keyManagementAlgorithms: ["dir"],
      contentEncryptionAlgorithms: ["A256GCM"],
    });
    const parsed = flowSchema.safeParse(payload.flow);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/** Whether the state an authorization response carries is the flow's, compared in constant time. */
export function sameState(expected: string, received: string | null | undefined): boolean {
  if (typeof received !== "string" || received === "") return false;
  return timingSafeEqual(digest(expected), digest(received));
}
