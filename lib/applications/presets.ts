/**
 * Starting points for registering an application, by the kind of app: each presets some of the
 * fields (fields.ts) and says why. Values are typed by the field definitions, so a preset can only
 * name real fields with valid values; the form turns them into its values like any other.
 */
import type { ApplicationSettings } from "./fields.ts";
import { parseDuration } from "./durations.ts";

export interface ApplicationPreset {
  label: string;
  description: string;
  values: Partial<ApplicationSettings>;
}

const days = (count: number) => parseDuration(`${count} days`)!;
const minutes = (count: number) => parseDuration(`${count} minutes`)!;

export const applicationPresets = {
  web: {
    label: "Web app",
    description: "A server-rendered site with a back end that keeps the secret. Code flow with PKCE.",
    values: {
      clientType: "confidential",
      grantTypes: ["authorization_code", "refresh_token"],
      pkceRequired: true,
      algorithm: "RS256",
      accessTokenLifetime: null,
      refreshTokenLifetime: days(30),
    },
  },
  spa: {
    label: "Single-page app",
    description: "Runs in the browser and cannot keep a secret: public, PKCE, short-lived tokens.",
    values: {
      clientType: "public",
      grantTypes: ["authorization_code", "refresh_token"],
      pkceRequired: true,
      algorithm: "RS256",
      accessTokenLifetime: minutes(15),
      refreshTokenLifetime: days(1),
    },
  },
  native: {
    label: "Native or mobile app",
    description: "Installed on a phone or desktop: public, PKCE, a custom-scheme or loopback redirect.",
    values: {
      clientType: "public",
      grantTypes: ["authorization_code", "refresh_token"],
      pkceRequired: true,
      algorithm: "RS256",
      accessTokenLifetime: null,
      refreshTokenLifetime: days(90),
    },
  },
  machine: {
    label: "Machine-to-machine",
    description: "A service calling an API on its own behalf, no user: client credentials only.",
    values: {
      clientType: "confidential",
      grantTypes: ["client_credentials"],
      pkceRequired: true,
      algorithm: "none",
      accessTokenLifetime: minutes(60),
      refreshTokenLifetime: null,
    },
  },
  device: {
    label: "Device or TV",
    description: "No browser or keyboard on the device: the user approves on their phone (device code).",
    values: {
      clientType: "public",
      grantTypes: ["urn:ietf:params:oauth:grant-type:device_code", "refresh_token"],
      pkceRequired: true,
      algorithm: "RS256",
      accessTokenLifetime: null,
      refreshTokenLifetime: days(90),
    },
  },
} as const satisfies Record<string, ApplicationPreset>;

export type ApplicationPresetKey = keyof typeof applicationPresets;

export function isApplicationPreset(value: unknown): value is ApplicationPresetKey {
  return typeof value === "string" && Object.hasOwn(applicationPresets, value);
}
