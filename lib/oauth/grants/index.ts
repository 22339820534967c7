/** The grants the token endpoint serves. Device code is registered on applications but not yet served. */
import { authorizationCodeGrant } from "./authorization-code.ts";
import { clientCredentialsGrant } from "./client-credentials.ts";
import type { Grant } from "./grant.ts";
import { passwordGrant } from "./password.ts";
import { refreshTokenGrant } from "./refresh-token.ts";

export const grants: readonly Grant[] = [
  authorizationCodeGrant,
  refreshTokenGrant,
  clientCredentialsGrant,
  passwordGrant,
];

export const grantsByType: ReadonlyMap<string, Grant> = new Map(grants.map((grant) => [grant.grantType, grant]));
