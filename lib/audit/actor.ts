/**
 * Who did something: a signed-in person, an operator at the command line, the server itself, or a
 * request nobody is signed in for (a failed sign-in: whoever tried is not known, only from where).
 * On its own, free of the database, so the protocol core can name an actor without importing storage.
 */
export type Actor =
  | { kind: "user"; id: string; email: string; ip?: string | null }
  | { kind: "cli" }
  | { kind: "system" }
  | { kind: "anonymous"; ip: string | null };

export const cliActor: Actor = { kind: "cli" };
export const systemActor: Actor = { kind: "system" };
