"use server";

import { revalidatePath } from "next/cache";
import { isRecordId } from "@/lib/db/record-id";
import {
  isTokenKind,
  revokeAllTokens,
  revokeToken,
  tokenNotFound,
  applicationNotFound,
  type AllTokensRevocation,
  type TokenRevocation,
} from "@/lib/tokens/commands";
import { db } from "@/lib/db/client";
import { adminAction } from "@/lib/web/actions";

// Server actions take whatever a request sends: arguments are checked before they reach a query.

export const revokeTokenAction = adminAction(
  async (actor, applicationId: unknown, kind: unknown, tokenId: unknown): Promise<TokenRevocation> => {
    if (!isRecordId(applicationId) || !isTokenKind(kind) || !isRecordId(tokenId)) return tokenNotFound;
    const result = await revokeToken(db(), applicationId, kind, tokenId, actor);
    revalidatePath(`/admin/applications/${applicationId}/tokens`);
    return result;
  },
);

export const revokeAllTokensAction = adminAction(
  async (actor, applicationId: unknown): Promise<AllTokensRevocation> => {
    if (!isRecordId(applicationId)) return applicationNotFound;
    const result = await revokeAllTokens(db(), applicationId, actor);
    revalidatePath(`/admin/applications/${applicationId}/tokens`);
    return result;
  },
);
