import { corsEndpoint, corsPreflight } from "@/lib/oauth/cors";
import { json, readForm } from "@/lib/oauth/http";
import { parseParams } from "@/lib/oauth/params";
import { handleUserinfo } from "@/lib/oauth/userinfo";
import { protocol } from "@/lib/server/protocol";

async function userinfo(request: Request) {
  const ctx = protocol();
  return corsEndpoint(ctx, request, async (corsFor) => {
    // RFC 6750 §2.2: POST may carry the token in a form body instead of the header.
    const params =
      request.method === "POST" && request.headers.get("content-type") ? await readForm(request) : parseParams("");
    const { claims, clientId } = await handleUserinfo(ctx, params, request.headers.get("authorization"));
    const client = await ctx.store.findClient(clientId);
    return json(claims, 200, corsFor(client?.allowedOrigins ?? []));
  });
}

export { userinfo as GET, userinfo as POST };

export function OPTIONS(request: Request) {
  return corsPreflight(protocol(), request, "GET, POST, OPTIONS");
}
