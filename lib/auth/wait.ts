/**
 * How a throttle's wait is told to a person, and how the sign-in form learns it from next-auth
 * (whose credentials provider passes an error thrown by `authorize` to the page as its message).
 * Free of the database, so the sign-in form (a client component) can use it.
 */

/** "30 seconds", "1 minute", "15 minutes": whole minutes, rounded up, from a minute on. */
export function describeWait(seconds: number): string {
  const whole = Math.max(1, Math.ceil(seconds));
  if (whole < 60) return `${whole} second${whole === 1 ? "" : "s"}`;
  const minutes = Math.ceil(whole / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

const throttledPrefix = "throttled-";

/** The error code signInWithForm throws for a throttled attempt: `throttled-<seconds>`. */
export const throttledCode = (seconds: number) => `${throttledPrefix}${Math.max(1, Math.ceil(seconds))}`;

/** The error code signInWithForm throws when the right password was given for a disabled account. */
export const accountDisabledCode = "account-disabled";

/**
 * What the sign-in page says for next-auth's error code: the wait for a throttled attempt, and the
 * same words for every other failure, so the answer never tells whether an account exists (the
 * throttle counts attempts on unknown emails exactly like those on real ones).
 */
export function signInErrorMessage(code: string | null | undefined): string | null {
  if (!code) return null;
  const wait = code.startsWith(throttledPrefix) ? Number(code.slice(throttledPrefix.length)) : NaN;
  if (Number.isInteger(wait) && wait > 0) {
    return `Too many failed sign-ins for this email from your network. Wait ${describeWait(wait)} and try again.`;
  }
  if (code === accountDisabledCode) return "This account is disabled. Ask an administrator to enable it.";
  return "That email and password don't match an account.";
}
