import { corsEndpoint, corsPreflight } from "@/lib/oauth/cors";
import { json, readForm } from "@/lib/oauth/http";
import { handleIntrospection } from "@/lib/oauth/introspect";
import { protocol } from "@/lib/server/protocol";

export async function POST(request: Request) {
  const ctx = protocol();
  return corsEndpoint(ctx, request, async (corsFor) => {
    const params = await readForm(request);
    const authorization = request.headers.get("authorization");
    const { response, clientId } = await handleIntrospection(ctx, params, authorization);
    const client = await ctx.store.findClient(clientId);
    return json(response, 200, corsFor(client?.allowedOrigins ?? []));
  });
}

export function OPTIONS(request: Request) {
  return corsPreflight(protocol(), request, "POST, OPTIONS");
}
