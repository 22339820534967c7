/**
 * What the test callback makes of an authorization response before anything is exchanged: it must
 * answer the sign-in this browser started (the flow cookie), for the admin who started it, with
 * the state that sign-in sent. Anything else is refused with a sentence saying why, and nothing is
 * sent to the token endpoint. (openid-client checks state and iss again when it exchanges the code.)
 */
import { sameState, type TryItFlow } from "./flow.ts";

/** An authorization response is a handful of short parameters; anything longer is not one. */
export const maxResponseLength = 8 * 1024;

export type CallbackCheck =
  | { ok: true; flow: TryItFlow; outcome: "code" }
  | { ok: true; flow: TryItFlow; outcome: "error"; error: string; description: string | null }
  | { ok: false; problem: "no_flow" | "other_admin" | "state_mismatch" | "no_code"; message: string };

export function checkCallback(flow: TryItFlow | null, userId: string, response: URLSearchParams): CallbackCheck {
  if (!flow) {
    return {
      ok: false,
      problem: "no_flow",
      message:
        "This browser has no Try it sign-in waiting for this answer: it expired (after 10 minutes), its code was already exchanged, or it was started in another browser. Nothing was exchanged.",
    };
  }
  if (flow.userId !== userId) {
    return {
      ok: false,
      problem: "other_admin",
      message: "This sign-in was started by another account in this browser. Nothing was exchanged.",
    };
  }
  if (!sameState(flow.state, response.get("state"))) {
    return {
      ok: false,
      problem: "state_mismatch",
      message:
        "The state in this response does not match the one this sign-in sent: it is not the answer to the sign-in this browser started (it was altered, or belongs to another one). Nothing was exchanged.",
    };
  }
  const error = response.get("error");
  if (error) return { ok: true, flow, outcome: "error", error, description: response.get("error_description") };
  if (!response.get("code")) {
    return {
      ok: false,
      problem: "no_code",
      message: "This response carries neither a code nor an error. Nothing was exchanged.",
    };
  }
  return { ok: true, flow, outcome: "code" };
}

/** A page's search parameters (Next's object form) as the query string they came from. */
export function responseFrom(query: Record<string, string | string[] | undefined>): URLSearchParams {
  const response = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) response.append(name, item);
  }
  return response;
}
