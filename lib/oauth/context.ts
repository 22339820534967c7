/** Everything the protocol core needs, passed in rather than imported, so it runs without HTTP. */
import type { Settings } from "../config/settings.ts";
import type { KeyRing } from "./oidc/keys.ts";
import type { Policy } from "./policy.ts";
import type { ScopeCatalogue } from "./scope.ts";
import type { OAuthStore } from "./store.ts";

export interface ProtocolConfig {
  issuer: string;
  lifetimes: Settings["lifetimes"];
  approvalPrompt: Settings["approvalPrompt"];
  scopes: ScopeCatalogue;
}

/** Told about each token request's outcome (for usage statistics); must not throw or block. */
export type TokenRequestObserver = (event: {
  applicationId: string;
  grantType: string;
  outcome: "issued" | "failed";
  at: Date;
}) => void;

export interface ProtocolContext {
  store: OAuthStore;
  config: ProtocolConfig;
  keys: KeyRing;
  now: () => Date;
  onTokenRequest?: TokenRequestObserver;
  /** The deployer's decisions (portcullis.config.ts); absent, Portcullis's own rules apply. */
  policy?: Policy;
}

export function protocolConfigFrom(settings: Settings): ProtocolConfig {
  return {
    issuer: settings.publicUrl,
    lifetimes: settings.lifetimes,
    approvalPrompt: settings.approvalPrompt,
    scopes: settings.scopes,
  };
}
