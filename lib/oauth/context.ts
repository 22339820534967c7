/** Everything the protocol core needs, passed in rather than imported, so it runs without HTTP. */
import type { Settings } from "../config/settings.ts";
import type { ClientAuthThrottle } from "./client-auth-throttle.ts";
import type { KeyRing } from "./oidc/keys.ts";
import type { Policy } from "./policy.ts";
import type { ScopeCatalogue } from "./scope.ts";
import type { ClientRecord, OAuthStore, UserRecord } from "./store.ts";

export interface ProtocolConfig {
  issuer: string;
  lifetimes: Settings["lifetimes"];
  approvalPrompt: Settings["approvalPrompt"];
  deviceAuthorization: Settings["deviceAuthorization"];
}

/** Told about each token request's outcome (for usage statistics); must not throw or block. */
type TokenRequestObserver = (event: {
  applicationId: string;
  grantType: string;
  outcome: "issued" | "failed";
  /** A failure's OAuth error code. */
  error?: string;
  at: Date;
}) => void;

type DeviceDecisionObserver = (event: {
  client: ClientRecord;
  user: UserRecord;
  decision: "approved" | "denied";
  scopes: readonly string[];
  /** The address the user answered from, or null. */
  ip: string | null;
}) => Promise<void>;

/**
 * The password grant's check of a username and password (RFC 6749 §4.3.2), for an attempt through
 * `client` from `ip`: the user, or none when the password is wrong, the user unknown or disabled,
 * or the attempt throttled (then with the seconds to wait). The implementation
 * (lib/users/sign-in.ts) throttles and audits it like a sign-in on the form, naming the client.
 */
export type PasswordAuthenticator = (attempt: {
  username: string;
  password: string;
  client: ClientRecord;
  ip: string | null;
}) => Promise<{ user: UserRecord; retryAfterSeconds?: undefined } | { user: null; retryAfterSeconds?: number }>;

export interface ProtocolContext {
  store: OAuthStore;
  authenticateUser: PasswordAuthenticator;
  /** Failed client authentications, limited per client and address (./client-auth-throttle.ts). */
  clientAuthThrottle: ClientAuthThrottle;
  config: ProtocolConfig;
  /** The scope catalogue (lib/scopes/catalogue.ts), held in memory until it changes. */
  scopes: { read(): Promise<ScopeCatalogue> };
  keys: KeyRing;
  now: () => Date;
  onTokenRequest?: TokenRequestObserver;
  /** Told when a user approves or denies a device (for the audit log); must not throw. */
  onDeviceDecision?: DeviceDecisionObserver;
  /** The deployer's decisions (portcullis.config.ts); absent, Portcullis's own rules apply. */
  policy?: Policy;
}

export function protocolConfigFrom(settings: Settings): ProtocolConfig {
  return {
    issuer: settings.publicUrl,
    lifetimes: settings.lifetimes,
    approvalPrompt: settings.approvalPrompt,
    deviceAuthorization: settings.deviceAuthorization,
  };
}
