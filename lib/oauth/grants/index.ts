/** The grants the token endpoint serves, and discovery lists (grant_types_supported). */
import { authorizationCodeGrant } from "./authorization-code.ts";
import { clientCredentialsGrant } from "./client-credentials.ts";
import { deviceCodeGrant } from "./device-code.ts";
import type { Grant } from "./grant.ts";
import { passwordGrant } from "./password.ts";
import { refreshTokenGrant } from "./refresh-token.ts";

export const grants: readonly Grant[] = [
  authorizationCodeGrant,
  refreshTokenGrant,
  clientCredentialsGrant,
  deviceCodeGrant,
  passwordGrant,
];

export const grantsByType: ReadonlyMap<string, Grant> = new Map(grants.map((grant) => [grant.grantType, grant]));
