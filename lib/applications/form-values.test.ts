import { describe, expect, it } from "vitest";
import { changedFieldLabels, formValuesFromJson, initialFormValues } from "./form-values.ts";

describe("changedFieldLabels", () => {
  const seen = { ...initialFormValues(), name: "Billing", grantTypes: ["authorization_code", "refresh_token"] };

  it("names the fields that differ, by their labels, in the form's order", () => {
    const current = { ...seen, skipAuthorization: true, name: "Billing (new)" };
    expect(changedFieldLabels(seen, current)).toEqual(["Name", "Trusted (skip consent)"]);
  });

  it("is empty when only the order of a set differs", () => {
    expect(changedFieldLabels(seen, { ...seen, grantTypes: ["refresh_token", "authorization_code"] })).toEqual([]);
  });

  it("counts every field as changed when what was seen is unknown", () => {
    expect(changedFieldLabels({}, seen)).toContain("Redirect URIs");
  });
});

describe("formValuesFromJson", () => {
  it("reads back form values and nothing else", () => {
    expect(formValuesFromJson(JSON.stringify({ name: "A", pkceRequired: true, grantTypes: ["x"], bad: 1 }))).toEqual({
      name: "A",
      pkceRequired: true,
      grantTypes: ["x"],
    });
    expect(formValuesFromJson("not json")).toEqual({});
    expect(formValuesFromJson("[1]")).toEqual({});
    expect(formValuesFromJson(null)).toEqual({});
  });
});
