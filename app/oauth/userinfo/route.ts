import { userinfoEndpoint } from "@/lib/oauth/routes";
import { webRoute } from "@/lib/server/web-route";

export const { GET, POST, OPTIONS } = webRoute(userinfoEndpoint);
