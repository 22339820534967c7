/** The reset page's address, with the link's token and why the last submission was refused. */
export type ResetProblem = "password" | "confirm" | "throttled";

/** Longer than any token: what is sent back to the page is never more than this. */
const maxToken = 100;

export function resetPagePath(query: { token?: string; problem?: ResetProblem; retryAfterSeconds?: number }): string {
  const params = new URLSearchParams();
  if (query.token && query.token.length <= maxToken) params.set("token", query.token);
  if (query.problem) params.set("problem", query.problem);
  if (query.retryAfterSeconds) params.set("retry", String(query.retryAfterSeconds));
  const search = params.toString();
  return search ? `/reset-password?${search}` : "/reset-password";
}
