/**
 * Server actions are public HTTP endpoints, called with whatever arguments a request encodes (a
 * string, an object, a promise), not only what our forms send. Two wrappers make the checks happen
 * by construction:
 * - `adminAction`: the admin check runs before any of the action's code;
 * - `formAction`: the form's FormData (the action's last declared parameter) is checked to be one,
 *   and anything else gets the action's own "could not read the form" answer instead of a 500.
 * (Next checks the Origin header against the host for every action, which is what makes the forms
 * CSRF-safe; server.ts answers a cross-site one with 403.)
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

/** The message a form shows when what arrived was not its fields. */
export const unreadableForm = "The form could not be read. Reload the page and try again.";

/**
 * An action whose last declared parameter is a form's FormData: when the argument in that place is
 * anything else, `invalid()` answers (a form state with an error, or a redirect) and `body` never runs.
 */
export function formAction<Args extends unknown[], Result>(
  invalid: () => Result | Promise<Result>,
  body: (...args: [...Args, FormData]) => Promise<Result>,
): (...args: [...Args, FormData]) => Promise<Result> {
  const position = body.length - 1;
  return async (...args) => {
    if (!(args[position] instanceof FormData)) return invalid();
    return body(...args);
  };
}
