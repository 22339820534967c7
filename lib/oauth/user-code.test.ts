import { describe, expect, it } from "vitest";
import { formatUserCode, generateUserCode, hashUserCode, normaliseUserCode } from "./user-code.ts";

describe("user codes (RFC 8628 §6.1)", () => {
  it("are 8 consonants without look-alikes, shown as XXXX-XXXX", () => {
    const codes = new Set(Array.from({ length: 2000 }, generateUserCode));
    for (const code of codes) expect(code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{8}$/);
    // 20^8 codes: 2,000 draws practically never repeat.
    expect(codes.size).toBeGreaterThan(1990);
    // Every letter of the alphabet turns up; no vowel, Y, I/O or digit ever does.
    expect(new Set([...codes].join("")).size).toBe(20);
    expect(formatUserCode("BCDFGHJK")).toBe("BCDF-GHJK");
  });

  it("are entered in any case, with or without dashes and spaces; anything else is no code", () => {
    for (const typed of ["BCDF-GHJK", "bcdf-ghjk", "bcdfghjk", " bcdf ghjk ", "BC-DF-GH-JK", "bcdf\tghjk"]) {
      expect(normaliseUserCode(typed)).toBe("BCDFGHJK");
    }
    for (const typed of [
      "",
      "BCDF-GHJ",
      "BCDF-GHJKL",
      "ABCD-EFGH",
      "BCDF-GHJ1",
      "BCDF_GHJK",
      "BCDF-GHJK\u0000",
      "B".repeat(100),
    ]) {
      expect(normaliseUserCode(typed)).toBeNull();
    }
  });

  it("are stored as a hash of the normalised code: every way of typing one finds it", () => {
    const stored = hashUserCode(normaliseUserCode("BCDF-GHJK")!);
    expect(hashUserCode(normaliseUserCode("bcdf ghjk")!)).toBe(stored);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain("BCDF");
  });
});
