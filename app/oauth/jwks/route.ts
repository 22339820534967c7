import { corsEndpoint, corsPreflight } from "@/lib/oauth/cors";
import { protocol } from "@/lib/server/protocol";

export async function GET(request: Request) {
  const ctx = protocol();
  const origin = request.headers.get("origin");
  const registered = origin !== null && (await ctx.store.isRegisteredOrigin(origin));
  return corsEndpoint(ctx, request, async (corsFor) =>
    Response.json(await ctx.keys.publicJwks(), {
      headers: {
        "Content-Type": "application/jwk-set+json",
        // Clients may cache keys briefly; a new key is published before it signs anything.
        "Cache-Control": "public, max-age=300",
        ...corsFor(registered && origin ? [origin] : []),
      },
    }),
  );
}

export function OPTIONS(request: Request) {
  return corsPreflight(protocol(), request, "GET, OPTIONS");
}
