import { formFieldViews } from "@/lib/applications/form-values";
import { settings } from "@/lib/config/settings";

/** What the application form needs from the server: its fields (built-in and custom) and scopes. */
export function formContext() {
  const config = settings();
  return {
    scopes: Object.entries(config.scopes).map(([name, { description }]) => ({ name, description })),
    fields: formFieldViews({
      lifetimes: { accessToken: config.lifetimes.accessToken, refreshToken: config.lifetimes.refreshToken },
    }),
  };
}
