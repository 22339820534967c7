/** Why the Try it form could not start a sign-in: the page shows the sentence for its key. */
export const startProblems = {
  "no-code-grant": "This application no longer has the authorization code grant.",
  "no-callback": "The test callback is not among this application's redirect URIs (any more): add it first.",
  scopes: "One of the chosen scopes is not offered to this application. Choose again.",
} as const;

export type StartProblem = keyof typeof startProblems;

export function startProblem(value: unknown): string | null {
  return typeof value === "string" && Object.hasOwn(startProblems, value) ? startProblems[value as StartProblem] : null;
}
