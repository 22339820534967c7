"use server";

import { revalidatePath } from "next/cache";
import { revokeAllTokens, revokeToken, type TokenKind } from "@/lib/tokens/commands";
import { db } from "@/lib/db/client";
import { adminAction } from "@/lib/web/actions";

export const revokeTokenAction = adminAction(async (actor, applicationId: string, kind: TokenKind, tokenId: string) => {
  if (kind !== "access_token" && kind !== "refresh_token") return { ok: false };
  const ok = await revokeToken(db(), applicationId, kind, tokenId, actor);
  revalidatePath(`/admin/applications/${applicationId}/tokens`);
  return { ok };
});

export const revokeAllTokensAction = adminAction(async (actor, applicationId: string) => {
  const counts = await revokeAllTokens(db(), applicationId, actor);
  revalidatePath(`/admin/applications/${applicationId}/tokens`);
  return counts;
});
