import { corsEndpoint, corsPreflight } from "@/lib/oauth/cors";
import { readForm } from "@/lib/oauth/http";
import { handleRevocation } from "@/lib/oauth/revoke";
import { protocol } from "@/lib/server/protocol";

export async function POST(request: Request) {
  const ctx = protocol();
  return corsEndpoint(ctx, request, async (corsFor) => {
    const { client } = await handleRevocation(ctx, await readForm(request), request.headers.get("authorization"));
    // RFC 7009 §2.2: 200 with an empty body, whether or not the token was found.
    return new Response(null, {
      status: 200,
      headers: { "Cache-Control": "no-store", ...corsFor(client.allowedOrigins) },
    });
  });
}

export function OPTIONS(request: Request) {
  return corsPreflight(protocol(), request, "POST, OPTIONS");
}
