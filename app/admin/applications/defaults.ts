import { settings } from "@/lib/config/settings";
import type { ApplicationFormValues } from "./form-values";
import type { Application } from "@/lib/applications/model";

/** What the application form needs from the server's configuration. */
export function formContext() {
  const config = settings();
  return {
    scopes: Object.entries(config.scopes).map(([name, { description }]) => ({ name, description })),
    defaults: {
      accessTokenLifetime: config.lifetimes.accessToken,
      refreshTokenLifetime: config.lifetimes.refreshToken,
    },
  };
}

export const emptyFormValues: ApplicationFormValues = {
  name: "",
  clientType: "confidential",
  grantTypes: ["authorization_code", "refresh_token"],
  redirectUris: "",
  postLogoutRedirectUris: "",
  allowedOrigins: "",
  allowedScopes: [],
  skipAuthorization: false,
  algorithm: "RS256",
  pkceRequired: true,
  introspectAnyToken: false,
  logoUri: "",
  homepageUri: "",
  policyUri: "",
  tosUri: "",
  accessTokenLifetime: "",
  refreshTokenLifetime: "",
};

export function formValuesOf(app: Application): ApplicationFormValues {
  return {
    name: app.name,
    clientType: app.clientType,
    grantTypes: app.grantTypes,
    redirectUris: app.redirectUris.join("\n"),
    postLogoutRedirectUris: app.postLogoutRedirectUris.join("\n"),
    allowedOrigins: app.allowedOrigins.join("\n"),
    allowedScopes: app.allowedScopes,
    skipAuthorization: app.skipAuthorization,
    algorithm: app.algorithm,
    pkceRequired: app.pkceRequired,
    introspectAnyToken: app.introspectAnyToken,
    logoUri: app.logoUri ?? "",
    homepageUri: app.homepageUri ?? "",
    policyUri: app.policyUri ?? "",
    tosUri: app.tosUri ?? "",
    accessTokenLifetime: app.accessTokenLifetime?.toString() ?? "",
    refreshTokenLifetime: app.refreshTokenLifetime?.toString() ?? "",
  };
}
