import { createHash } from "node:crypto";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  credentialHint,
  credentialMatches,
  credentialPrefixes,
  generateClientId,
  generateCredential,
  hashCredential,
  type CredentialKind,
} from "./secrets.ts";

const kinds = Object.keys(credentialPrefixes) as CredentialKind[];
const base64url = /^[A-Za-z0-9_-]+$/;
const sha256 = (value: string) => createHash("sha256").update(value, "utf8").digest("hex");

/** A credential as generateCredential makes it at `time`. */
function issuedAt(time: number, kind: CredentialKind = "accessToken"): string {
  vi.useFakeTimers({ toFake: ["Date"], now: time });
  try {
    return generateCredential(kind);
  } finally {
    vi.useRealTimers();
  }
}

afterEach(() => {
  vi.useRealTimers();
});

describe("generateCredential", () => {
  it("uses a distinct, recognisable prefix per kind", () => {
    expect(credentialPrefixes).toEqual({
      clientSecret: "pcs_",
      accessToken: "pca_",
      refreshToken: "pcr_",
      authorizationCode: "pcc_",
      deviceCode: "pcd_",
    });
    for (const kind of kinds) expect(generateCredential(kind).startsWith(credentialPrefixes[kind])).toBe(true);
  });

  it.each(kinds)("gives a %s its issue time, then 256 bits of randomness as unpadded base64url", (kind) => {
    const value = issuedAt(Date.UTC(2026, 10, 28), kind);
    const time = value.slice(credentialPrefixes[kind].length, credentialPrefixes[kind].length + 8);
    expect(parseInt(time, 36)).toBe(Date.UTC(2026, 10, 28));
    const body = value.slice(credentialPrefixes[kind].length + 8);
    expect(body).toMatch(base64url);
    // 32 bytes encode to 43 base64url characters without padding.
    expect(body).toHaveLength(43);
    expect(Buffer.from(body, "base64url")).toHaveLength(32);
    // Decoding and re-encoding is lossless: every character carries data.
    expect(Buffer.from(body, "base64url").toString("base64url")).toBe(body);
  });

  it("never repeats over many draws", () => {
    const draws = 20_000;
    const values = new Set(Array.from({ length: draws }, () => generateCredential("accessToken")));
    expect(values.size).toBe(draws);
  });

  it("spreads its bytes over the whole byte range and varies at every position", () => {
    const bodies = Array.from({ length: 1_000 }, () =>
      Buffer.from(generateCredential("clientSecret").slice(12), "base64url"),
    );
    const seen = new Set<number>();
    for (const bytes of bodies) for (const byte of bytes) seen.add(byte);
    // 32,000 random bytes miss one of 256 values with probability ~256·e^-125: never.
    expect(seen.size).toBe(256);
    for (let position = 0; position < 32; position++) {
      const atPosition = new Set(bodies.map((bytes) => bytes[position]));
      expect(atPosition.size).toBeGreaterThan(200);
    }
  });
});

describe("generateClientId", () => {
  it("is 144 random bits, URL-safe and unique", () => {
    const ids = Array.from({ length: 5_000 }, () => generateClientId());
    for (const id of ids.slice(0, 50)) {
      expect(id).toMatch(base64url);
      expect(Buffer.from(id, "base64url")).toHaveLength(18);
    }
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("hashCredential", () => {
  it("is SHA-256 as lowercase hex (FIPS 180-2 test vectors)", () => {
    expect(hashCredential("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashCredential("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(hashCredential("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")).toBe(
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
    );
  });

  it("hashes the UTF-8 bytes of the value", () => {
    expect(hashCredential("é")).toBe(
      createHash("sha256")
        .update(Buffer.from([0xc3, 0xa9]))
        .digest("hex"),
    );
  });

  it("is the credential's issue time, then the SHA-256 of the whole credential", () => {
    const token = generateCredential("accessToken");
    expect(hashCredential(token)).toBe(token.slice(4, 12) + createHash("sha256").update(token).digest("hex"));
  });

  it("sorts keys of credentials by issue time, so a unique index on them grows at its end", () => {
    const earlier = Array.from({ length: 50 }, () => hashCredential(issuedAt(1_795_000_000_000)));
    const later = Array.from({ length: 50 }, () => hashCredential(issuedAt(1_795_000_000_001)));
    expect(earlier.every((key) => later.every((next) => key < next))).toBe(true);
    // Digests of credentials issued before issue times were added (plain hex) sort before all of them.
    expect(hashCredential(`pca_${"A".repeat(43)}`) < earlier[0]!).toBe(true);
  });

  it("keeps the plain digest for credentials without an issue time (issued before it was added)", () => {
    const old = `pcr_${Buffer.alloc(32, 7).toString("base64url")}`;
    expect(hashCredential(old)).toBe(createHash("sha256").update(old).digest("hex"));
    expect(credentialMatches(old, createHash("sha256").update(old).digest("hex"))).toBe(true);
    // A value of today's length with an unknown prefix, or no time where the time goes, likewise.
    for (const value of [`xyz_mihx0000${"A".repeat(43)}`, `pca_MIHX0000${"A".repeat(43)}`])
      expect(hashCredential(value)).toMatch(/^[0-9a-f]{64}$/);
  });

  it("after 2059, when the time outgrows its 8 characters, falls back to the plain digest", () => {
    const late = issuedAt(36 ** 8);
    expect(late.slice(4, 13)).toBe("100000000");
    expect(hashCredential(late)).toBe(sha256(late));
    expect(credentialMatches(late, hashCredential(late))).toBe(true);
  });

  it("is deterministic and differs for different credentials", () => {
    const secret = generateCredential("clientSecret");
    expect(hashCredential(secret)).toBe(hashCredential(secret));
    expect(hashCredential(secret)).toMatch(/^[0-9a-z]{8}[0-9a-f]{64}$/);
    expect(hashCredential(secret)).not.toBe(hashCredential(generateCredential("clientSecret")));
    expect(hashCredential(secret)).not.toContain(secret.slice(4));
  });
});

describe("credentialMatches", () => {
  const secret = generateCredential("clientSecret");
  const stored = hashCredential(secret);

  it("accepts the credential whose digest is stored", () => {
    expect(credentialMatches(secret, stored)).toBe(true);
  });

  it("refuses any other credential", () => {
    expect(credentialMatches(generateCredential("clientSecret"), stored)).toBe(false);
    // One character changed.
    const last = secret.at(-1) === "A" ? "B" : "A";
    expect(credentialMatches(secret.slice(0, -1) + last, stored)).toBe(false);
    expect(credentialMatches(secret.toUpperCase(), stored)).toBe(false);
    expect(credentialMatches(` ${secret}`, stored)).toBe(false);
  });

  it("refuses a credential whose time part was changed, and never crosses the old and new forms", () => {
    const token = generateCredential("accessToken");
    const key = hashCredential(token);
    const shifted = token.slice(0, 11) + (token[11] === "0" ? "1" : "0") + token.slice(12);
    expect(credentialMatches(shifted, key)).toBe(false);
    // The stored key without its time (an old-style digest of the same value) does not match, nor the reverse.
    expect(credentialMatches(token, sha256(token))).toBe(false);
    const old = `pca_${Buffer.alloc(32, 9).toString("base64url")}`;
    expect(credentialMatches(old, `mihx0000${sha256(old)}`)).toBe(false);
    // Same length in characters, not in bytes: refused, without throwing.
    expect(credentialMatches(`pca_mihx0000${"é".repeat(43)}`, key)).toBe(false);
  });

  it("refuses presented values of any length, including empty and very long", () => {
    expect(credentialMatches("", stored)).toBe(false);
    expect(credentialMatches(secret.slice(0, 10), stored)).toBe(false);
    expect(credentialMatches(secret.repeat(100), stored)).toBe(false);
  });

  it("is false when no digest is stored (public clients)", () => {
    expect(credentialMatches(secret, null)).toBe(false);
    expect(credentialMatches(secret, undefined)).toBe(false);
    expect(credentialMatches(secret, "")).toBe(false);
    expect(credentialMatches("", null)).toBe(false);
  });

  it("is false, without throwing, when the stored digest is malformed or another length", () => {
    expect(credentialMatches(secret, stored.slice(0, 32))).toBe(false);
    expect(credentialMatches(secret, `${stored}00`)).toBe(false);
    expect(credentialMatches(secret, "not hex at all")).toBe(false);
    // The plain secret stored by mistake never authenticates.
    expect(credentialMatches(secret, secret)).toBe(false);
  });
});

describe("credentialHint", () => {
  it("is the last four characters", () => {
    expect(credentialHint("pcs_abcdefWXYZ")).toBe("WXYZ");
    const secret = generateCredential("clientSecret");
    expect(credentialHint(secret)).toHaveLength(4);
    expect(secret.endsWith(credentialHint(secret))).toBe(true);
  });

  it("is what there is for values shorter than four characters", () => {
    expect(credentialHint("ab")).toBe("ab");
    expect(credentialHint("")).toBe("");
  });
});
