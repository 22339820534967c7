/** Minting access and refresh tokens, and the token response (RFC 6749 §5.1). */
import { randomUUID } from "node:crypto";
import { extraClaims } from "./policy.ts";
import type { ProtocolContext } from "./context.ts";
import { createIdToken } from "./oidc/id-token.ts";
import { formatScope } from "./scope.ts";
import { generateCredential, hashCredential } from "./secrets.ts";
import type { ClientRecord, NewTokens, UserRecord } from "./store.ts";

export interface TokenResponse {
  access_token: string;
  token_type: "Bearer";
  expires_in: number;
  scope: string;
  refresh_token?: string;
  id_token?: string;
}

export interface MintRequest {
  client: ClientRecord;
  user: UserRecord | null;
  grantType: string;
  /** The access token's scope. */
  scopes: readonly string[];
  withRefreshToken: boolean;
  /** A refresh token's scope never changes across rotations (RFC 6749 §6); defaults to `scopes`. */
  refreshScopes?: readonly string[];
  familyId?: string;
  authorizationCodeId?: string | null;
  authTime?: Date | null;
}

export interface Minted {
  tokens: NewTokens;
  response: TokenResponse;
}

/** New credentials and the rows that store their hashes; nothing is written here. */
export function mintTokens(ctx: ProtocolContext, request: MintRequest): Minted {
  const now = ctx.now();
  const { client, user } = request;
  const accessLifetime = client.accessTokenLifetime ?? ctx.config.lifetimes.accessToken;
  const refreshLifetime = client.refreshTokenLifetime ?? ctx.config.lifetimes.refreshToken;
  const accessToken = generateCredential("accessToken");
  const familyId = request.withRefreshToken ? (request.familyId ?? randomUUID()) : null;
  const scope = formatScope(request.scopes);
  const tokens: NewTokens = {
    access: {
      tokenHash: hashCredential(accessToken),
      applicationId: client.id,
      userId: user?.id ?? null,
      scope,
      grantType: request.grantType,
      familyId,
      authorizationCodeId: request.authorizationCodeId ?? null,
      authTime: request.authTime ?? null,
      expiresAt: new Date(now.getTime() + accessLifetime * 1000),
    },
  };
  const response: TokenResponse = {
    access_token: accessToken,
    token_type: "Bearer",
    expires_in: accessLifetime,
    scope,
  };
  if (familyId) {
    const refreshToken = generateCredential("refreshToken");
    tokens.refresh = {
      tokenHash: hashCredential(refreshToken),
      applicationId: client.id,
      userId: user?.id ?? null,
      scope: formatScope(request.refreshScopes ?? request.scopes),
      familyId,
      authorizationCodeId: request.authorizationCodeId ?? null,
      authTime: request.authTime ?? null,
      // A lifetime of 0 means refresh tokens never expire (Django OAuth Toolkit's default).
      expiresAt: refreshLifetime > 0 ? new Date(now.getTime() + refreshLifetime * 1000) : null,
    };
    response.refresh_token = refreshToken;
  }
  return { tokens, response };
}

/** Adds an ID token when the grant is OpenID Connect (openid scope, a user, a signing client). */
export async function withIdToken(
  ctx: ProtocolContext,
  minted: Minted,
  details: {
    client: ClientRecord;
    user: UserRecord | null;
    grantType: string;
    scopes: readonly string[];
    nonce?: string | null;
    authTime?: Date | null;
  },
): Promise<TokenResponse> {
  const { client, user, scopes } = details;
  if (!user || !scopes.includes("openid") || client.algorithm !== "RS256") return minted.response;
  const idToken = await createIdToken(ctx.keys, {
    issuer: ctx.config.issuer,
    clientId: client.clientId,
    user,
    scopes,
    nonce: details.nonce ?? null,
    authTime: details.authTime ?? null,
    accessToken: minted.response.access_token,
    now: ctx.now(),
    extraClaims: await extraClaims(ctx.policy, {
      client,
      user,
      scopes,
      grantType: details.grantType,
      purpose: "id_token",
    }),
  });
  return { ...minted.response, id_token: idToken };
}
