import { corsEndpoint, corsPreflight } from "@/lib/oauth/cors";
import { json, readForm } from "@/lib/oauth/http";
import { handleTokenRequest } from "@/lib/oauth/token";
import { protocol } from "@/lib/server/protocol";

export async function POST(request: Request) {
  const ctx = protocol();
  return corsEndpoint(ctx, request, async (corsFor) => {
    const result = await handleTokenRequest(ctx, await readForm(request), request.headers.get("authorization"));
    return json(result.response, 200, corsFor(result.client.allowedOrigins));
  });
}

export function OPTIONS(request: Request) {
  return corsPreflight(protocol(), request, "POST, OPTIONS");
}
