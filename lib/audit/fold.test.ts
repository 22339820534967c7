import { describe, expect, it } from "vitest";
import { foldDetails, type DetailLine } from "./queries.ts";

const value = (label: string, text: string): DetailLine => ({ kind: "value", label, value: text });

describe("foldDetails", () => {
  it("shows a short entry in full", () => {
    const lines = [value("A", "1"), value("B", "2"), value("C", "3")];
    expect(foldDetails(lines)).toEqual({ shown: lines, folded: [] });
  });

  it("never folds away a single short line", () => {
    const lines = ["A", "B", "C", "D", "E"].map((label) => value(label, "x"));
    expect(foldDetails(lines)).toEqual({ shown: lines, folded: [] });
  });

  it("folds the lines after the first four", () => {
    const lines = ["A", "B", "C", "D", "E", "F", "G"].map((label) => value(label, "x"));
    const { shown, folded } = foldDetails(lines);
    expect(shown.map((line) => (line as { label: string }).label)).toEqual(["A", "B", "C", "D"]);
    expect(folded).toHaveLength(3);
  });

  it("folds from the line that makes the entry long, however few lines there are", () => {
    const big = value("Redirect URIs", "https://example.com/".repeat(40));
    expect(foldDetails([value("Name", "x"), big])).toEqual({ shown: [value("Name", "x")], folded: [big] });
    expect(foldDetails([big])).toEqual({ shown: [], folded: [big] });
  });
});
