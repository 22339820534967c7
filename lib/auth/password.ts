/** Password hashing with Argon2id (OWASP's first choice), via the maintained @node-rs/argon2. */
import { hash, verify } from "@node-rs/argon2";

// OWASP Password Storage Cheat Sheet's Argon2id baseline: m=19 MiB, t=2, p=1.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const passwordRules = { minLength: 8, maxLength: 256 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

export async function verifyPassword(storedHash: string, password: string): Promise<boolean> {
  try {
    return await verify(storedHash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * Spends the same time as a real check, for sign-in attempts with an unknown email, so response
 * time does not reveal which accounts exist.
 */
export async function verifyAgainstNothing(password: string): Promise<false> {
  dummyHash ??= hashPassword("portcullis-timing-equaliser");
  await verifyPassword(await dummyHash, password);
  return false;
}
