/** The grant types an application can be registered for, with the words admins see. */

export const grantTypes = [
  "authorization_code",
  "refresh_token",
  "client_credentials",
  "urn:ietf:params:oauth:grant-type:device_code",
  "password",
] as const;

export type GrantType = (typeof grantTypes)[number];

export interface GrantTypeInfo {
  label: string;
  help: string;
  /** Grants whose tokens can come with a refresh token. */
  issuesRefreshTokens: boolean;
  /** Only a client that can keep a secret may use it. */
  confidentialOnly: boolean;
  legacy?: boolean;
}

export const grantTypeInfo: Record<GrantType, GrantTypeInfo> = {
  authorization_code: {
    label: "Authorization code",
    help: "Users sign in here and approve the app, which then receives tokens for them. For web, mobile and single-page apps (with PKCE).",
    issuesRefreshTokens: true,
    confidentialOnly: false,
  },
  refresh_token: {
    label: "Refresh token",
    help: "Lets the app renew access without asking the user again. Needs a grant that issues refresh tokens.",
    issuesRefreshTokens: false,
    confidentialOnly: false,
  },
  client_credentials: {
    label: "Client credentials",
    help: "The app acts as itself, with no user: machine-to-machine calls. Confidential apps only.",
    issuesRefreshTokens: false,
    confidentialOnly: true,
  },
  "urn:ietf:params:oauth:grant-type:device_code": {
    label: "Device code",
    help: "For TVs, command-line tools and other devices without a handy browser (RFC 8628): the device shows a short code, the user enters it at /device on their phone or computer and approves there, and the device receives tokens.",
    issuesRefreshTokens: true,
    confidentialOnly: false,
  },
  password: {
    label: "Password (legacy)",
    help: "The app collects the user's password itself. Removed in OAuth 2.1; enable only to migrate an old client. Confidential apps only.",
    issuesRefreshTokens: true,
    confidentialOnly: true,
    legacy: true,
  },
};

export function isGrantType(value: string): value is GrantType {
  return (grantTypes as readonly string[]).includes(value);
}
