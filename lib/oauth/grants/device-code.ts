/**
 * The device code grant (RFC 8628 §3.4-3.5): the device polls with its device code until the user
 * has answered at /device. A device code yields tokens once; polling faster than the interval gets
 * slow_down, and the interval the device must respect grows by 5 seconds each time.
 */
import { deviceCodeGrantType } from "../device-authorization.ts";
import { OAuthError, invalidGrant } from "../errors.ts";
import { required } from "../params.ts";
import { hashCredential } from "../secrets.ts";
import { mintTokens, withIdToken } from "../tokens.ts";
import type { Grant } from "./grant.ts";

/** RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests". */
const slowDownStep = 5;

const slowDown = (interval: number) =>
  new OAuthError("slow_down", `Polling too fast: wait at least ${interval} seconds between requests`);

export const deviceCodeGrant: Grant = {
  grantType: deviceCodeGrantType,
  async handle(ctx, client, params) {
    const code = await ctx.store.findDeviceCode({ deviceCodeHash: hashCredential(required(params, "device_code")) });
    const now = ctx.now();
    // A device code belongs to one client; another client presenting it learns nothing.
    if (!code || code.applicationId !== client.id) throw invalidGrant("The device code is invalid");
    // Not treated as theft, unlike a reused authorization code: a device code never passes through a
    // browser, and a device's concurrent or late poll after its success is a client mistake.
    if (code.consumedAt) throw invalidGrant("The device code has already been used");
    if (code.expiresAt <= now) throw new OAuthError("expired_token", "The device code has expired");

    const tooFast = code.lastPolledAt !== null && now.getTime() - code.lastPolledAt.getTime() < code.interval * 1000;
    const interval = tooFast ? code.interval + slowDownStep : code.interval;
    // Of two polls at once, one is counted; the other was too fast by definition.
    const counted = await ctx.store.recordDevicePoll(code.id, code.lastPolledAt, now, interval);
    if (tooFast || !counted) throw slowDown(interval);

    if (code.status === "pending")
      throw new OAuthError("authorization_pending", "The user has not yet approved this device");
    if (code.status === "denied") throw new OAuthError("access_denied", "The user denied the request");

    const scopes = code.scope === "" ? [] : code.scope.split(" ");
    const user = code.userId ? await ctx.store.findUser(code.userId) : null;
    if (!user || user.disabled) throw invalidGrant("The user who approved this device can no longer sign in");
    if (ctx.policy?.mayAuthorize) {
      // The answer may be minutes old: a refusal since then still holds.
      const verdict = await ctx.policy.mayAuthorize({ client, grantType: deviceCodeGrantType, user, scopes });
      if (verdict !== true) throw new OAuthError("access_denied", verdict);
    }
    const minted = mintTokens(ctx, {
      client,
      user,
      grantType: deviceCodeGrantType,
      scopes,
      withRefreshToken: client.grantTypes.includes("refresh_token"),
      authTime: code.authTime,
    });
    if (!(await ctx.store.redeemDeviceCode(code.id, now, minted.tokens))) {
      throw invalidGrant("The device code has already been used");
    }
    return withIdToken(ctx, minted, { client, user, grantType: deviceCodeGrantType, scopes, authTime: code.authTime });
  },
};
