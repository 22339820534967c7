import { deviceAuthorizationEndpoint } from "@/lib/oauth/routes";
import { webRoute } from "@/lib/server/web-route";

export const { POST, OPTIONS } = webRoute(deviceAuthorizationEndpoint);
