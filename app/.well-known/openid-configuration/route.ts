import { openidConfiguration } from "@/lib/oauth/discovery";
import { protocol } from "@/lib/server/protocol";

export function GET() {
  return Response.json(openidConfiguration(protocol().config), {
    headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
  });
}
