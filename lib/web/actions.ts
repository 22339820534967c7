/**
 * Server actions are public HTTP endpoints: every admin action is built with `adminAction`, so the
 * admin check runs before any of its code, by construction. (Next checks the Origin header against
 * the host for every action, which is what makes the forms CSRF-safe.)
 */
import type { Actor } from "../audit/record.ts";
import { actorFor, requireAdmin } from "./session.ts";

export function adminAction<Args extends unknown[], Result>(
  body: (actor: Actor, ...args: Args) => Promise<Result>,
): (...args: Args) => Promise<Result> {
  return async (...args: Args) => {
    const admin = await requireAdmin();
    return body(await actorFor(admin), ...args);
  };
}
