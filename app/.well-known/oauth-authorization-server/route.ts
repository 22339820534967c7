import { authorizationServerMetadataEndpoint } from "@/lib/oauth/routes";
import { webRoute } from "@/lib/server/web-route";

export const { GET } = webRoute(authorizationServerMetadataEndpoint);
