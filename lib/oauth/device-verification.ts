/**
 * The user's side of the device flow (RFC 8628 §3.3): a signed-in user enters the user code their
 * device shows, then answers as on the code flow's consent screen. The decisions are the code
 * flow's (./authorize.ts consentNeeded, recordApproval): the deployer's policy, trusted
 * applications, remembered consent and the approval prompt apply alike.
 *
 * Guessing codes (RFC 8628 §5.1): wrong entries are counted per user and per client address in
 * the database (every instance counts the same ones); past either limit, entries are refused for
 * a while without being looked up. Entries that cannot be a code at all are not counted.
 */
import { consentNeeded, recordApproval, type SignedInUser } from "./authorize.ts";
import type { ProtocolContext } from "./context.ts";
import { deviceCodeGrantType } from "./device-authorization.ts";
import type { OAuthError } from "./errors.ts";
import type { ClientRecord, DeviceCodeRecord } from "./store.ts";
import { hashUserCode, normaliseUserCode } from "./user-code.ts";

export type UserCodeEntry =
  | { ok: true; requestId: string }
  | { ok: false; problem: "malformed" | "unknown" | "expired" | "used" }
  | { ok: false; problem: "throttled"; retryAfterSeconds: number };

/** Why a device request can no longer be answered. */
type Closed = "unknown" | "expired" | "used";

function closedReason(code: DeviceCodeRecord, now: Date): Closed | null {
  if (code.status !== "pending" || code.consumedAt) return "used";
  if (code.expiresAt <= now) return "expired";
  return null;
}

/** The user typed a code: the request it names becomes theirs to answer, or the reason it cannot. */
export async function enterUserCode(
  ctx: ProtocolContext,
  input: string,
  user: SignedInUser,
  ip: string | null,
): Promise<UserCodeEntry> {
  const now = ctx.now();
  const key = { userId: user.id, source: ip ?? "" };
  const wait = await ctx.store.userCodeRetryAfter(key, ctx.config.deviceAuthorization, now);
  if (wait > 0) return { ok: false, problem: "throttled", retryAfterSeconds: Math.max(1, wait) };
  const normalised = normaliseUserCode(input);
  if (!normalised) return { ok: false, problem: "malformed" };
  const code = await ctx.store.findDeviceCode({ userCodeHash: hashUserCode(normalised) });
  if (!code) {
    await ctx.store.recordUserCodeFailure(key, now);
    return { ok: false, problem: "unknown" };
  }
  const closed = closedReason(code, now);
  if (closed) return { ok: false, problem: closed };
  if (!(await ctx.store.claimDeviceCode(code.id, user.id, now))) return { ok: false, problem: "used" };
  return { ok: true, requestId: code.id };
}

export interface DeviceRequest {
  id: string;
  client: ClientRecord;
  scopes: string[];
}

export type DeviceRequestLookup = { ok: true; request: DeviceRequest } | { ok: false; problem: Closed };

/** The request `user` entered the code of, if it can still be answered (by them). */
export async function findDeviceRequest(
  ctx: ProtocolContext,
  id: string,
  user: SignedInUser,
): Promise<DeviceRequestLookup> {
  // Ids are cuids; anything else (from a page's address) names no request and is not looked up.
  if (!/^[a-z0-9]{1,64}$/.test(id)) return { ok: false, problem: "unknown" };
  const code = await ctx.store.findDeviceCode({ id });
  // Only the user who entered the code may answer: the id alone is no proof of it.
  if (!code || code.userId !== user.id) return { ok: false, problem: "unknown" };
  const closed = closedReason(code, ctx.now());
  if (closed) return { ok: false, problem: closed };
  const client = await ctx.store.findClient(code.clientId);
  if (!client) return { ok: false, problem: "unknown" };
  return { ok: true, request: { id: code.id, client, scopes: code.scope === "" ? [] : code.scope.split(" ") } };
}

export type DeviceDecision =
  /** The scopes this user granted this application before. */
  | { kind: "consent"; granted: string[] }
  /** Approved without asking (trusted app, remembered consent, policy): the answer is recorded. */
  | { kind: "answered"; outcome: DeviceAnswerOutcome }
  | { kind: "refused"; error: OAuthError }
  | { kind: "sign-in" };

/** Whether the user must see the consent screen for this device, exactly as for the code flow. */
export async function decideDevice(
  ctx: ProtocolContext,
  request: DeviceRequest,
  user: SignedInUser,
  ip: string | null,
): Promise<DeviceDecision> {
  const outcome = await consentNeeded(
    ctx,
    {
      client: request.client,
      grantType: deviceCodeGrantType,
      scopes: request.scopes,
      forceConsent: ctx.config.approvalPrompt === "force",
    },
    user,
  );
  if (outcome.kind === "refused") {
    // The device hears access_denied at once rather than polling until the code expires.
    await ctx.store.answerDeviceCode(request.id, user.id, { status: "denied", authTime: user.authTime }, ctx.now());
  }
  if (outcome.kind !== "approve") return outcome;
  return { kind: "answered", outcome: await answerDevice(ctx, request, user, "allow", { consented: false, ip }) };
}

export type DeviceAnswerOutcome = "approved" | "denied" | Closed | { refused: OAuthError };

/**
 * The user's answer. Allow asks the policy again and remembers the consent (`consented`: the user
 * clicked Allow); a refusal by the policy denies the device. Of two answers, the first counts.
 */
export async function answerDevice(
  ctx: ProtocolContext,
  request: DeviceRequest,
  user: SignedInUser,
  answer: "allow" | "deny",
  { consented, ip }: { consented: boolean; ip: string | null },
): Promise<DeviceAnswerOutcome> {
  let refused: OAuthError | null = null;
  if (answer === "allow") {
    refused = await recordApproval(
      ctx,
      { client: request.client, grantType: deviceCodeGrantType, scopes: request.scopes },
      user,
      { consented },
    );
  }
  const status = answer === "allow" && !refused ? "approved" : "denied";
  const now = ctx.now();
  if (!(await ctx.store.answerDeviceCode(request.id, user.id, { status, authTime: user.authTime }, now))) {
    const code = await ctx.store.findDeviceCode({ id: request.id });
    return (code && closedReason(code, now)) ?? "used";
  }
  const record = await ctx.store.findUser(user.id);
  if (record) {
    await ctx.onDeviceDecision?.({
      client: request.client,
      user: record,
      decision: status,
      scopes: request.scopes,
      ip,
    });
  }
  if (refused) return { refused };
  return status;
}
