/**
 * One-time password reset links an admin issues for a user and hands over (there is no mail here).
 *
 * The link carries a 256-bit random token; only its SHA-256 is stored (a fast hash is right for a
 * high-entropy value, as for OAuth tokens: lib/oauth/secrets.ts), so the table alone opens nothing.
 * A link is valid for `settings().passwordResetLifetime` seconds, works once (using it is a
 * conditional UPDATE of `usedAt`, so two submissions of the same link cannot both set a password),
 * and issuing a new one deletes the user's older unused ones. Setting the password ends every
 * session of the user and revokes their tokens, as any password set by someone else does
 * (replacePassword).
 *
 * Whoever submits a link is unknown, so the submissions count against the sign-in throttle
 * (lib/auth/throttle.ts) of their address under a key of their own: a few unknown links are typos,
 * then the address waits, and its limit over all accounts applies too. The answers concern only the
 * link, never whether an account exists.
 */
import { createHash, randomBytes } from "node:crypto";
import { recordAudit, type Actor } from "../audit/record.ts";
import { hashPassword } from "../auth/password.ts";
import { attemptKey, claimSignInAttempt, forgetFailures, type SignInThrottlePolicy } from "../auth/throttle.ts";
import { describeWait } from "../auth/wait.ts";
import type { Db } from "../db/client.ts";
import { replacePassword, type NewPasswordErrors } from "./commands.ts";
import { fieldErrorsOf, newPasswordSchema } from "./schema.ts";

/**
 * The public page a link opens. The token goes in the query string, which the access log never
 * writes (lib/server/access-log.ts), and the site's Referrer-Policy keeps it from other sites.
 */
export const passwordResetPath = "/reset-password";

const tokenPrefix = "pcp_";
/** Prefix + 32 random bytes as base64url. */
const tokenSyntax = /^pcp_[A-Za-z0-9_-]{43}$/;

/** The throttle's account key for reset-link submissions (no email has this form). */
const throttleKey = "(password reset link)";

const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export interface IssuedResetLink {
  /** The full link, shown once to the admin. */
  url: string;
  expiresAt: Date;
  email: string;
}

export type ResetLinkIssue = { ok: true; link: IssuedResetLink } | { ok: false; message: string };

/** Issues a new link for a user, deleting their older unused ones; audited (never the token). */
export async function issuePasswordResetLink(
  db: Db,
  userId: string,
  actor: Actor,
  options: { publicUrl: string; lifetimeSeconds: number; now?: Date },
): Promise<ResetLinkIssue> {
  const now = options.now ?? new Date();
  const token = tokenPrefix + randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + options.lifetimeSeconds * 1000);
  const email = await db.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { email: true } });
    if (!user) return null;
    const replaced = await tx.passwordResetToken.deleteMany({ where: { userId, usedAt: null } });
    await tx.passwordResetToken.create({
      data: { tokenHash: digest(token), userId, expiresAt, createdAt: now },
      select: { id: true },
    });
    await recordAudit(tx, actor, {
      action: "user.password_reset_link_issued",
      targetUserId: userId,
      details: { email: user.email, expiresAt: expiresAt.toISOString(), replacedLinks: replaced.count },
    });
    return user.email;
  });
  if (email === null) return { ok: false, message: "This user no longer exists." };
  const url = new URL(passwordResetPath, options.publicUrl);
  url.searchParams.set("token", token);
  return { ok: true, link: { url: url.toString(), expiresAt, email } };
}

export type ResetLinkState =
  { state: "valid"; email: string; expiresAt: Date } | { state: "expired" | "used" | "unknown" };

export const resetLinkMessages: Record<Exclude<ResetLinkState["state"], "valid">, string> = {
  expired: "This password reset link has expired. Ask an administrator for a new one.",
  used: "This password reset link has already been used. Ask an administrator for a new one if you need it.",
  unknown:
    "This password reset link is not valid: it may have been mistyped or replaced by a newer one. Ask an administrator for a new one.",
};

/** What a link is now, for the page that opens it (a read; nothing is counted or written). */
export async function resetLinkState(
  db: Pick<Db, "passwordResetToken">,
  token: string,
  now = new Date(),
): Promise<ResetLinkState> {
  if (!tokenSyntax.test(token)) return { state: "unknown" };
  const row = await db.passwordResetToken.findUnique({
    where: { tokenHash: digest(token) },
    select: { expiresAt: true, usedAt: true, user: { select: { email: true } } },
  });
  if (!row) return { state: "unknown" };
  if (row.usedAt) return { state: "used" };
  if (row.expiresAt.getTime() <= now.getTime()) return { state: "expired" };
  return { state: "valid", email: row.user.email, expiresAt: row.expiresAt };
}

export type ResetWithLink =
  | { ok: true; email: string }
  | { ok: false; link: Exclude<ResetLinkState["state"], "valid"> }
  | { ok: false; errors: NewPasswordErrors }
  | { ok: false; retryAfterSeconds: number; message: string };

/** Sets a new password through a link: once, before it expires; see the module's comment. */
export async function resetPasswordWithLink(
  db: Db,
  token: string,
  raw: unknown,
  ip: string | null,
  options: { now?: Date; throttle?: SignInThrottlePolicy } = {},
): Promise<ResetWithLink> {
  const now = options.now ?? new Date();
  const claim = await claimSignInAttempt(db, attemptKey(throttleKey, ip), now, options.throttle);
  if (!claim.granted) {
    return {
      ok: false,
      retryAfterSeconds: claim.retryAfterSeconds,
      message: `Too many invalid links from your address: try again in ${describeWait(claim.retryAfterSeconds)}.`,
    };
  }
  const state = await resetLinkState(db, token, now);
  // The claim stays as a failure: only a valid link is forgiven.
  if (state.state !== "valid") return { ok: false, link: state.state };
  await forgetFailures(db, claim);
  const parsed = newPasswordSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, errors: fieldErrorsOf(parsed.error) };
  const passwordHash = await hashPassword(parsed.data.password);
  const tokenHash = digest(token);
  return db.$transaction(async (tx): Promise<ResetWithLink> => {
    const row = await tx.passwordResetToken.findUnique({
      where: { tokenHash },
      select: { id: true, user: { select: { id: true, email: true } } },
    });
    if (!row) return { ok: false, link: "unknown" };
    // The one place a link is spent: of two submissions, one finds it unused.
    const { count } = await tx.passwordResetToken.updateMany({
      where: { id: row.id, usedAt: null, expiresAt: { gt: now } },
      data: { usedAt: now },
    });
    if (count === 0) {
      const current = await resetLinkState(tx, token, now);
      return { ok: false, link: current.state === "valid" ? "used" : current.state };
    }
    const actor: Actor = { kind: "user", id: row.user.id, email: row.user.email, ip };
    await replacePassword(tx, row.user, passwordHash, actor, "user.password_reset_by_link", {}, now);
    return { ok: true, email: row.user.email };
  });
}

/** Links past their expiry, for clear-tokens (used ones expire too, so they go then). */
export const expiredPasswordResetTokens = (now: Date) => ({ expiresAt: { lte: now } });
