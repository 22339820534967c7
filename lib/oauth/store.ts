/**
 * The storage the protocol needs, shaped by the protocol: each method says whether it is atomic and
 * what a second, concurrent use gets. Implemented on Prisma in lib/db/oauth-store.ts.
 * Only hashes of codes and tokens cross this interface; the values themselves never reach storage.
 */
import type { ApplicationSettings } from "../applications/fields.ts";

/** A registered client: its settings (one definition per field: lib/applications/fields.ts) and its secret's hash. */
export interface ClientRecord extends ApplicationSettings {
  id: string;
  clientId: string;
  secretHash: string | null;
  /** The deployer's custom fields as stored (lib/extensions interprets them). */
  metadata: Record<string, unknown>;
}

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  disabled: boolean;
}

export interface NewAuthorizationCode {
  codeHash: string;
  applicationId: string;
  userId: string;
  redirectUri: string;
  redirectUriProvided: boolean;
  scope: string;
  codeChallenge: string | null;
  codeChallengeMethod: "S256" | null;
  nonce: string | null;
  authTime: Date;
  expiresAt: Date;
}

interface AuthorizationCodeRecord extends NewAuthorizationCode {
  id: string;
  consumedAt: Date | null;
}

export interface NewAccessToken {
  tokenHash: string;
  applicationId: string;
  userId: string | null;
  scope: string;
  grantType: string;
  familyId: string | null;
  authorizationCodeId: string | null;
  authTime: Date | null;
  expiresAt: Date;
}

interface NewRefreshToken {
  tokenHash: string;
  applicationId: string;
  userId: string | null;
  scope: string;
  familyId: string;
  authorizationCodeId: string | null;
  authTime: Date | null;
  expiresAt: Date | null;
}

export interface NewTokens {
  access: NewAccessToken;
  refresh?: NewRefreshToken;
}

export interface RefreshTokenRecord extends NewRefreshToken {
  id: string;
  /** The owning application's public client_id. */
  clientId: string;
  rotatedAt: Date | null;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface AccessTokenRecord {
  id: string;
  applicationId: string;
  clientId: string;
  userId: string | null;
  scope: string;
  grantType: string;
  familyId: string | null;
  authTime: Date | null;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface NewDeviceCode {
  deviceCodeHash: string;
  userCodeHash: string;
  applicationId: string;
  scope: string;
  /** Seconds between polls. */
  interval: number;
  expiresAt: Date;
}

export type DeviceCodeStatus = "pending" | "approved" | "denied";

export interface DeviceCodeRecord extends NewDeviceCode {
  id: string;
  /** The owning application's public client_id. */
  clientId: string;
  status: DeviceCodeStatus;
  /** Who entered the user code last (only they may answer), then who answered. */
  userId: string | null;
  authTime: Date | null;
  lastPolledAt: Date | null;
  consumedAt: Date | null;
}

/** Whose wrong user codes: the signed-in user and the client address ("" when unknown). */
export interface UserCodeFailureKey {
  userId: string;
  source: string;
}

export interface UserCodeLimits {
  /** Wrong user codes one user may enter within `window`. */
  userLimit: number;
  /** Wrong user codes from one address within `window`. */
  addressLimit: number;
  /** Seconds. */
  window: number;
}

interface ConsentRecord {
  scope: string[];
  expiresAt: Date;
}

export interface SigningKeyRecord {
  id: string;
  algorithm: string;
  publicJwk: string;
  /** Encrypted (PrivateKeyCipher in ./oidc/keys.ts); a row from before encryption holds the JWK as is. */
  privateJwk: string;
  /** When it stops (or stopped) signing: a rotation sets it to when its successor starts. */
  retiredAt: Date | null;
  createdAt: Date;
}

export type NewSigningKey = Omit<SigningKeyRecord, "retiredAt">;

export interface OAuthStore {
  findClient(clientId: string): Promise<ClientRecord | null>;
  /** Whether any application registered this origin for CORS. */
  isRegisteredOrigin(origin: string): Promise<boolean>;
  findUser(userId: string): Promise<UserRecord | null>;

  saveAuthorizationCode(code: NewAuthorizationCode): Promise<void>;
  findAuthorizationCode(codeHash: string): Promise<AuthorizationCodeRecord | null>;
  /**
   * Atomic: marks the code consumed and stores the tokens issued for it, in one transaction.
   * Of concurrent calls for one code exactly one returns true; the others store nothing and get false.
   */
  redeemAuthorizationCode(codeId: string, now: Date, tokens: NewTokens): Promise<boolean>;
  /** Revokes every access and refresh token issued from a code, including rotated descendants. */
  revokeTokensFromCode(codeId: string, now: Date): Promise<void>;

  /** Stores a device authorization request; false, storing nothing, when its user code is taken. */
  saveDeviceCode(code: NewDeviceCode): Promise<boolean>;
  findDeviceCode(
    by: { deviceCodeHash: string } | { userCodeHash: string } | { id: string },
  ): Promise<DeviceCodeRecord | null>;
  /**
   * Atomic: records a poll at `now` and sets the interval the next poll must respect, if the last
   * recorded poll is still `previousPoll`. Of concurrent polls exactly one returns true.
   */
  recordDevicePoll(id: string, previousPoll: Date | null, now: Date, interval: number): Promise<boolean>;
  /**
   * Lets `userId` answer the request (they entered its user code), if it is still pending,
   * unconsumed and unexpired at `now`; returns whether it was.
   */
  claimDeviceCode(id: string, userId: string, now: Date): Promise<boolean>;
  /**
   * Atomic: the user's answer, if the request is still pending, unexpired at `now` and theirs to
   * answer. Of concurrent answers exactly one returns true.
   */
  answerDeviceCode(
    id: string,
    userId: string,
    answer: { status: "approved" | "denied"; authTime: Date },
    now: Date,
  ): Promise<boolean>;
  /**
   * Atomic: marks an approved device code consumed and stores the tokens issued for it, in one
   * transaction. Of concurrent calls exactly one returns true; the others store nothing.
   */
  redeemDeviceCode(id: string, now: Date, tokens: NewTokens): Promise<boolean>;
  recordUserCodeFailure(key: UserCodeFailureKey, at: Date): Promise<void>;
  /** Seconds until `key` is under both limits again, 0 when it is now. Reads only. */
  userCodeRetryAfter(key: UserCodeFailureKey, limits: UserCodeLimits, now: Date): Promise<number>;

  /** Stores tokens that consume nothing (client credentials, password). */
  issueTokens(tokens: NewTokens): Promise<void>;

  findRefreshToken(tokenHash: string): Promise<RefreshTokenRecord | null>;
  /**
   * Atomic: marks `tokenId` rotated and stores its successors. Of concurrent calls exactly one
   * returns true, unless `graceSeconds` > 0, in which case a token rotated less than that long ago
   * may be rotated again. A revoked token never rotates.
   */
  rotateRefreshToken(tokenId: string, now: Date, graceSeconds: number, tokens: NewTokens): Promise<boolean>;
  /** Revokes every refresh and access token of a family, in one set-based statement per table. */
  revokeFamily(familyId: string, now: Date): Promise<void>;

  findAccessToken(tokenHash: string): Promise<AccessTokenRecord | null>;
  revokeAccessToken(tokenId: string, now: Date): Promise<void>;
  /** Records use for the admin views; may skip the write if it was recorded very recently. */
  noteAccessTokenUse(tokenId: string, now: Date): Promise<void>;

  findConsent(userId: string, applicationId: string): Promise<ConsentRecord | null>;
  /**
   * Stores the union of the approved scopes with any earlier consent still unexpired at `now`, and a
   * new expiry.
   */
  saveConsent(
    userId: string,
    applicationId: string,
    scopes: readonly string[],
    now: Date,
    expiresAt: Date,
  ): Promise<void>;
  noteConsentUse(userId: string, applicationId: string, now: Date): Promise<void>;

  /** Every stored key, newest first. */
  listSigningKeys(): Promise<SigningKeyRecord[]>;
  /**
   * Atomic: stores the key only if no stored key is unretired (retiredAt null). Of concurrent calls,
   * from any number of processes, at most one stores its key; returns whether this one did.
   */
  saveFirstSigningKey(key: NewSigningKey): Promise<boolean>;
  /**
   * Atomic (one statement): sets retiredAt = `at` on each of these keys that signs at `at` (retiredAt
   * null or later), so they stop signing but stay published as after a rotation. Rotation itself is
   * an operator's command, not the protocol's: lib/signing-keys/rotate.ts.
   */
  retireSigningKeys(ids: readonly string[], at: Date): Promise<void>;
}
