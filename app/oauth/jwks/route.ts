import { jwksEndpoint } from "@/lib/oauth/routes";
import { webRoute } from "@/lib/server/web-route";

export const { GET, OPTIONS } = webRoute(jwksEndpoint);
