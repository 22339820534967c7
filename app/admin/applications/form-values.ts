/** Reads the application form's fields into the raw shape the shared schema validates. */
export interface ApplicationFormValues {
  name: string;
  clientType: string;
  grantTypes: string[];
  redirectUris: string;
  postLogoutRedirectUris: string;
  allowedOrigins: string;
  allowedScopes: string[];
  skipAuthorization: boolean;
  algorithm: string;
  pkceRequired: boolean;
  introspectAnyToken: boolean;
  logoUri: string;
  homepageUri: string;
  policyUri: string;
  tosUri: string;
  accessTokenLifetime: string;
  refreshTokenLifetime: string;
}

export function applicationFormValues(form: FormData): ApplicationFormValues {
  const text = (name: string) => {
    const value = form.get(name);
    return typeof value === "string" ? value : "";
  };
  const all = (name: string) => form.getAll(name).filter((value): value is string => typeof value === "string");
  return {
    name: text("name"),
    clientType: text("clientType"),
    grantTypes: all("grantTypes"),
    redirectUris: text("redirectUris"),
    postLogoutRedirectUris: text("postLogoutRedirectUris"),
    allowedOrigins: text("allowedOrigins"),
    allowedScopes: all("allowedScopes"),
    skipAuthorization: form.get("skipAuthorization") === "on",
    algorithm: text("algorithm"),
    pkceRequired: form.get("pkceRequired") === "on",
    introspectAnyToken: form.get("introspectAnyToken") === "on",
    logoUri: text("logoUri"),
    homepageUri: text("homepageUri"),
    policyUri: text("policyUri"),
    tosUri: text("tosUri"),
    accessTokenLifetime: text("accessTokenLifetime"),
    refreshTokenLifetime: text("refreshTokenLifetime"),
  };
}
