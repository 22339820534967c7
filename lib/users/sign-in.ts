/**
 * Signing in with an email and password, from the sign-in form (next-auth's credentials provider
 * calls signInWithForm) or through the legacy password grant (passwordGrantAuthenticator, the
 * protocol context's port, wired in lib/server/protocol.ts), and what the audit log keeps of each
 * attempt, with the client address in its `ip` column:
 *
 * - a success: `auth.signed_in`, by the user and about them;
 * - a wrong password, an unknown email or a disabled account: `auth.sign_in_failed`, by an
 *   anonymous request (whoever tried is not known) and about the account when the email is one;
 *   the failure that starts a block (lib/auth/throttle.ts) also writes `auth.sign_in_throttled`;
 * - an attempt the throttle refused: nothing at all, neither an audit row nor a failure, so
 *   however many attempts an attacker sends, they cannot grow the log, and none of them waits for
 *   the database's write lock.
 *
 * The throttle counts per account and address, so a refusal concerns only the address it answers;
 * it says how long to wait, the same for unknown emails as for accounts. Unknown emails and wrong
 * passwords take the same time and give the same answer; disabled accounts cannot sign in, and the
 * form says so only to whoever gave the account's right password. Each
 * outcome's writes (failure, last sign-in, audit rows) commit together.
 */
import { recordAudit, type Actor, type AuditInput, type Transaction } from "../audit/record.ts";
import { metrics } from "../metrics/metrics.ts";
import { passwordRules, verifyAgainstNothing, verifyPassword } from "../auth/password.ts";
import {
  attemptKey,
  claimSignInAttempt,
  forgetFailures,
  type SignInClaim,
  type SignInThrottlePolicy,
} from "../auth/throttle.ts";
import { accountDisabledCode, throttledCode } from "../auth/wait.ts";
import type { Db } from "../db/client.ts";
import type { PasswordAuthenticator } from "../oauth/context.ts";
import type { SessionUser } from "./commands.ts";

/** Where an attempt came from. */
export interface SignInOrigin {
  /** The client address (lib/request-ip.ts), or null when unknown. */
  ip: string | null;
  /** The application, when the attempt came through the password grant. */
  client?: { id: string; clientId: string; name: string };
}

/** What the entries of a password-grant attempt say about the application it came through. */
function viaClient(origin: SignInOrigin): Pick<AuditInput, "applicationId"> & { details: Record<string, unknown> } {
  if (!origin.client) return { details: {} };
  return {
    applicationId: origin.client.id,
    details: { via: "password grant", name: origin.client.name, clientId: origin.client.clientId },
  };
}

const anonymous = (origin: SignInOrigin): Actor => ({ kind: "anonymous", ip: origin.ip });

/** A sign-in's result: the user, or nobody, with the seconds to wait when the throttle refused. */
export type SignInOutcome =
  | { user: SessionUser; retryAfterSeconds?: undefined; disabled?: undefined }
  /** `disabled` only after the right password: whoever does not know it learns nothing. */
  | { user: null; retryAfterSeconds?: number; disabled?: boolean };

/**
 * Signs in with an email and password, auditing the attempt as described above. Used by the
 * sign-in form and the password grant alike.
 */
export async function signIn(
  db: Db,
  email: string,
  password: string,
  origin: SignInOrigin = { ip: null },
  now: Date = new Date(),
  policy?: SignInThrottlePolicy,
): Promise<SignInOutcome> {
  const key = email.slice(0, 254).trim().toLowerCase();
  // No stored password is longer than the rules allow, so a longer one fails as it is.
  const given = password.slice(0, passwordRules.maxLength + 1);
  // NUL cannot be stored in PostgreSQL text (not even in the audit row) and is never valid here;
  // without an email there is nothing to count the attempt against.
  if (!key || key.includes("\u0000") || given.includes("\u0000")) return { user: null };
  const via = viaClient(origin);

  const claim = await claimSignInAttempt(db, attemptKey(key, origin.ip), now, policy);
  if (!claim.granted) return { user: null, retryAfterSeconds: claim.retryAfterSeconds };

  const user = await db.user.findUnique({
    where: { email: key },
    select: { id: true, email: true, name: true, role: true, passwordHash: true, disabled: true },
  });
  const valid = user ? await verifyPassword(user.passwordHash, given) : await verifyAgainstNothing(given);
  if (!user || !valid || user.disabled) {
    metrics().userAuthFailures.inc();
    await db.$transaction(async (tx) => {
      const about = { applicationId: via.applicationId, targetUserId: user?.id ?? null };
      await recordAudit(tx, anonymous(origin), {
        action: "auth.sign_in_failed",
        ...about,
        details: { email: key, ...(user?.disabled ? { accountDisabled: true } : {}), ...via.details },
      });
      await recordWrongPassword(tx, claim, anonymous(origin), { ...about, details: via.details });
    });
    return user && valid && user.disabled ? { user: null, disabled: true } : { user: null };
  }

  await db.$transaction(async (tx) => {
    await forgetFailures(tx, claim);
    await tx.user.update({ where: { id: user.id }, data: { lastSignInAt: now } });
    await recordAudit(
      tx,
      { kind: "user", id: user.id, email: user.email, ip: origin.ip },
      { action: "auth.signed_in", applicationId: via.applicationId, targetUserId: user.id, details: via.details },
    );
  });
  return { user: { id: user.id, email: user.email, name: user.name, role: user.role } };
}

/** `signIn`'s user, or null however it failed. */
export async function authenticate(
  db: Db,
  email: string,
  password: string,
  origin: SignInOrigin = { ip: null },
  now: Date = new Date(),
): Promise<SessionUser | null> {
  return (await signIn(db, email, password, origin, now)).user;
}

/**
 * A wrong password for a granted attempt (or an unknown email, or a disabled account), in the
 * caller's transaction: the claim's row already counts it; when it is the failure that starts a
 * block, this writes the block's `auth.sign_in_throttled` entry by `actor`, about `entry`'s
 * account and application, with the email, what is blocked and for how long. Used by `signIn`
 * and by changePassword (lib/users/commands.ts), whose wrong current passwords count against the
 * same budget. One entry per block (claims are serialized, so exactly one attempt is the one that
 * reaches a limit), and none for the attempts the block then refuses.
 */
export async function recordWrongPassword(
  tx: Transaction,
  claim: Extract<SignInClaim, { granted: true }>,
  actor: Actor,
  entry: Omit<AuditInput, "action">,
): Promise<void> {
  if (!claim.startsBlock) return;
  await recordAudit(tx, actor, {
    ...entry,
    action: "auth.sign_in_throttled",
    details: {
      email: claim.key.email,
      blocked: claim.startsBlock,
      retryAfterSeconds: claim.waitIfFailed,
      ...entry.details,
    },
  });
}

/**
 * next-auth's credentials `authorize` (lib/web/auth-options.ts): the form's fields, as posted, and
 * the client address. The user next-auth puts in the session, or null for "wrong email or password";
 * a throttled attempt throws, so that the page can say how long to wait.
 */
export async function signInWithForm(
  db: Db,
  form: { email?: unknown; password?: unknown } | undefined,
  ip: string | null,
): Promise<{ id: string; email: string; name: string } | null> {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  const outcome = await signIn(db, text(form?.email), text(form?.password), { ip });
  // next-auth hands a thrown error's message to the sign-in page (lib/auth/wait.ts reads it).
  if (outcome.retryAfterSeconds) throw new Error(throttledCode(outcome.retryAfterSeconds));
  if (outcome.disabled) throw new Error(accountDisabledCode);
  const { user } = outcome;
  return user ? { id: user.id, email: user.email, name: user.name } : null;
}

/** The password grant's port (ProtocolContext.authenticateUser): `authenticate`, naming the client. */
export function passwordGrantAuthenticator(db: Db): PasswordAuthenticator {
  return async ({ username, password, client, ip }) => {
    const outcome = await signIn(db, username, password, {
      ip,
      client: { id: client.id, clientId: client.clientId, name: client.name },
    });
    const { user } = outcome;
    if (user) return { user: { id: user.id, email: user.email, name: user.name, disabled: false } };
    return { user: null, retryAfterSeconds: outcome.retryAfterSeconds };
  };
}
