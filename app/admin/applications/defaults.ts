import { formFieldViews } from "@/lib/applications/form-values";
import { settings } from "@/lib/config/settings";
import { db } from "@/lib/db/client";
import { scopeCatalogue } from "@/lib/scopes/catalogue";

/** What the application form needs from the server: its fields (built-in and custom) and scopes. */
export async function formContext() {
  const config = settings();
  const catalogue = await scopeCatalogue(db()).read();
  return {
    scopes: Object.entries(catalogue).map(([name, { description }]) => ({ name, description })),
    fields: formFieldViews({
      lifetimes: { accessToken: config.lifetimes.accessToken, refreshToken: config.lifetimes.refreshToken },
    }),
  };
}
