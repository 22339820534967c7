import { settings } from "@/lib/config/settings";

/** What the application form needs from the server's configuration. */
export function formContext() {
  const config = settings();
  return {
    scopes: Object.entries(config.scopes).map(([name, { description }]) => ({ name, description })),
    context: { lifetimes: { accessToken: config.lifetimes.accessToken, refreshToken: config.lifetimes.refreshToken } },
  };
}
