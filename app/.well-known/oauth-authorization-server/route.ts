import { authorizationServerMetadata } from "@/lib/oauth/discovery";
import { protocol } from "@/lib/server/protocol";

export function GET() {
  return Response.json(authorizationServerMetadata(protocol().config), {
    headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
