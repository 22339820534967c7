/** The addresses of the device pages, with their parameters, in one place. */
import type { DeviceAnswerOutcome, UserCodeEntry } from "@/lib/oauth/device-verification";

type Problem = Extract<UserCodeEntry, { ok: false }>["problem"];

/** The code entry page; with a user code (verification_uri_complete), or with why an entry failed. */
export function devicePath(query: { userCode?: string; problem?: Problem; retryAfterSeconds?: number } = {}): string {
  const params = new URLSearchParams();
  if (query.userCode) params.set("user_code", query.userCode.slice(0, 64));
  if (query.problem) params.set("problem", query.problem);
  if (query.retryAfterSeconds) params.set("retry", String(query.retryAfterSeconds));
  const search = params.toString();
  return search ? `/device?${search}` : "/device";
}

export const deviceAuthorizePath = (requestId: string) =>
  `/device/authorize?${new URLSearchParams({ request: requestId })}`;

export type DoneOutcome = "approved" | "denied" | "refused" | "expired" | "used";

export function doneOutcome(outcome: DeviceAnswerOutcome): DoneOutcome | null {
  if (typeof outcome === "object") return "refused";
  return outcome === "unknown" ? null : outcome;
}

export const deviceDonePath = (outcome: DoneOutcome) => `/device/done?outcome=${outcome}`;
