import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./durations.ts";

describe("parseDuration", () => {
  it("reads a bare number as seconds", () => {
    expect(parseDuration("3600")).toBe(3600);
    expect(parseDuration(" 90 ")).toBe(90);
  });

  it("reads units, short and long, alone or combined", () => {
    expect(parseDuration("15 minutes")).toBe(900);
    expect(parseDuration("1 hour")).toBe(3600);
    expect(parseDuration("30 days")).toBe(2_592_000);
    expect(parseDuration("1h 30m")).toBe(5400);
    expect(parseDuration("2 Weeks")).toBe(1_209_600);
    expect(parseDuration("1d, 12h")).toBe(129_600);
  });

  it("refuses anything else", () => {
    for (const text of ["", "soon", "1.5 hours", "-60", "10 parsecs", "1 hour later", "hours 1"]) {
      expect({ text, parsed: parseDuration(text) }).toEqual({ text, parsed: null });
    }
  });
});

describe("formatDuration", () => {
  it("uses the largest whole unit", () => {
    expect(formatDuration(2_592_000)).toBe("30 days");
    expect(formatDuration(86_400)).toBe("1 day");
    expect(formatDuration(3600)).toBe("1 hour");
    expect(formatDuration(5400)).toBe("90 minutes");
    expect(formatDuration(3601)).toBe("3,601 seconds");
  });

  it("round-trips through parseDuration", () => {
    for (const seconds of [60, 900, 3600, 5400, 86_400, 31_622_400, 61]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds);
    }
  });
});
