import { describe, expect, it } from "vitest";
import { builtInScopes } from "../oauth/scope.ts";
import { initialFormValues } from "./form-values.ts";
import { applicationPresets } from "./presets.ts";
import { parseApplicationInput } from "./schema.ts";

describe("application presets", () => {
  it.each(Object.entries(applicationPresets))("%s is a valid registration once named", (_key, preset) => {
    const values = initialFormValues(undefined, preset.values);
    const parsed = parseApplicationInput(
      { ...values, name: "Preset app", redirectUris: "https://app.example.com/cb" },
      builtInScopes,
    );
    expect(parsed.ok ? parsed.data : parsed.errors).toMatchObject(preset.values);
  });

  it("fills the form's values from the preset, in words for lifetimes", () => {
    const values = initialFormValues(undefined, applicationPresets.spa.values);
    expect(values).toMatchObject({
      clientType: "public",
      grantTypes: ["authorization_code", "refresh_token"],
      accessTokenLifetime: "15 minutes",
      refreshTokenLifetime: "1 day",
    });
  });
});
