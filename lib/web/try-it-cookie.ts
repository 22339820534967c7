/** The Try it flow's cookie (lib/try-it/flow.ts) as the dashboard sets, reads and clears it. */
import { cookies } from "next/headers";
import { sessionSecret } from "../config/secrets.ts";
import { settings } from "../config/settings.ts";
import {
  flowCookieName,
  flowCookiePath,
  flowLifetimeSeconds,
  openFlow,
  sealFlow,
  type TryItFlow,
} from "../try-it/flow.ts";
import { useSecureCookies } from "./session-cookie.ts";

export interface FlowCookie {
  name: string;
  value: string;
  options: { httpOnly: true; sameSite: "lax"; path: string; secure: boolean; maxAge: number };
}

export async function flowCookie(flow: TryItFlow): Promise<FlowCookie> {
  const secure = useSecureCookies();
  return {
    name: flowCookieName(secure),
    value: await sealFlow(flow, sessionSecret(settings())),
    options: { httpOnly: true, sameSite: "lax", path: flowCookiePath, secure, maxAge: flowLifetimeSeconds },
  };
}

/** The flow this browser started, or null (none, expired, tampered with). */
export async function currentFlow(): Promise<TryItFlow | null> {
  const value = (await cookies()).get(flowCookieName(useSecureCookies()))?.value;
  return openFlow(value, sessionSecret(settings()));
}

/** Ends the flow: its code was exchanged or refused, so the callback cannot be replayed. */
export async function clearFlow(): Promise<void> {
  (await cookies()).delete({ name: flowCookieName(useSecureCookies()), path: flowCookiePath });
}
