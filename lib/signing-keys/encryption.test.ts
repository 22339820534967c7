import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeKeyEncryptionKey } from "../config/secrets.ts";
import { privateKeyCipher } from "./encryption.ts";

const jwk = JSON.stringify({ kty: "RSA", d: "secret-exponent", kid: "k1" });

describe("private key encryption (AES-256-GCM, key id as associated data)", () => {
  const kek = randomBytes(32);
  const cipher = privateKeyCipher(kek);

  it("round-trips, with a fresh IV each time and nothing of the plaintext in the stored form", () => {
    const a = cipher.seal("k1", jwk);
    const b = cipher.seal("k1", jwk);
    expect(a).not.toBe(b);
    expect(a.startsWith(`enc:v1:${cipher.kekId}:`)).toBe(true);
    expect(a).not.toContain("secret");
    expect(Buffer.from(a.split(":")[3]!, "base64url").toString("latin1")).not.toContain("secret");
    expect(cipher.open("k1", a)).toBe(jwk);
  });

  it("refuses another key's row, an altered value, another KEK, a changed header and plaintext", () => {
    const sealed = cipher.seal("k1", jwk);
    expect(() => cipher.open("k2", sealed)).toThrow(/fails authentication/);
    const payload = Buffer.from(sealed.split(":")[3]!, "base64url");
    payload[20] = payload[20]! ^ 1;
    expect(() => cipher.open("k1", `enc:v1:${cipher.kekId}:${payload.toString("base64url")}`)).toThrow(
      /fails authentication/,
    );
    const other = privateKeyCipher(randomBytes(32));
    expect(() => other.open("k1", sealed)).toThrow(
      new RegExp(`another key-encryption key \\(id ${cipher.kekId}; this server's is ${other.kekId}\\)`),
    );
    // The KEK id is part of the associated data: relabelling a value does not get it past another KEK.
    expect(() => other.open("k1", sealed.replace(cipher.kekId, other.kekId))).toThrow(/fails authentication/);
    expect(() => cipher.open("k1", jwk)).toThrow(/unencrypted/);
    expect(() => cipher.open("k1", "enc:v2:abc:def")).toThrow(/not one this version reads/);
  });

  it("takes the KEK as 32 bytes of hex, base64 or base64url, and refuses anything else", () => {
    const bytes = randomBytes(32);
    for (const text of [
      bytes.toString("hex"),
      bytes.toString("base64"),
      bytes.toString("base64url"),
      ` ${bytes.toString("hex")}\n`,
    ])
      expect(decodeKeyEncryptionKey(text, "X")).toEqual(bytes);
    for (const text of [
      "",
      "short",
      randomBytes(16).toString("hex"),
      randomBytes(31).toString("base64"),
      randomBytes(48).toString("base64"),
    ])
      expect(() => decodeKeyEncryptionKey(text, "PORTCULLIS_KEY_ENCRYPTION_KEY")).toThrow(
        /PORTCULLIS_KEY_ENCRYPTION_KEY must be 32 random bytes/,
      );
  });
});
