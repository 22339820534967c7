import type { Metadata } from "next";
import Link from "next/link";
import { buttonStyles } from "@/components/ui/button";
import { describeWait } from "@/lib/auth/wait";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { ServiceUnavailable } from "@/components/service-unavailable";
import { PublicCard } from "@/components/public-card";
import { devicePath } from "./_components/paths";
import { deviceUser } from "./_components/signed-in";

export const metadata: Metadata = { title: "Connect a device" };

/** What the page says after a failed entry: fixed words per reason, never text from the address bar. */
function problemMessage(problem: string | null, retry: string | null): string | null {
  switch (problem) {
    case "malformed":
      return "That is not a code from a device: codes are 8 letters, like BCDF-GHJK.";
    case "unknown":
      return "That code is not right. Check the code on your device and try again.";
    case "expired":
      return "That code has expired. Start again on your device to get a new one.";
    case "used":
      return "That code has already been used. Start again on your device if it is not connected.";
    case "throttled": {
      const seconds = Number(retry);
      const wait = Number.isInteger(seconds) && seconds > 0 ? describeWait(seconds) : "a few minutes";
      return `Too many wrong codes. Wait ${wait} and try again.`;
    }
    default:
      return null;
  }
}

export default async function DevicePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const query = toUrlSearchParams(await searchParams);
  const userCode = (query.get("user_code") ?? "").slice(0, 64);
  // Signed out, the user signs in and comes back to this same step, with the code they arrived with.
  const user = await deviceUser(devicePath({ userCode }));
  if (user === "unavailable") return <ServiceUnavailable retryHref={devicePath({ userCode })} />;
  const problem = problemMessage(query.get("problem"), query.get("retry"));
  const confirming = userCode !== "" && problem === null;
  return (
    <PublicCard title="Connect a device">
      <p className="mt-2 text-sm text-slate-700">
        {confirming
          ? "Check that this code is the one your device shows, then continue."
          : "Enter the code your device shows."}
      </p>
      <form method="post" action="/device/verify" className="mt-5">
        <label htmlFor="user-code" className="block text-sm font-medium text-slate-900">
          Code
        </label>
        <input
          id="user-code"
          name="user_code"
          defaultValue={userCode}
          required
          maxLength={64}
          autoComplete="off"
          autoCapitalize="characters"
          autoCorrect="off"
          spellCheck={false}
          placeholder="BCDF-GHJK"
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? "user-code-error" : undefined}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-3 text-center font-mono text-2xl tracking-widest text-slate-900 uppercase shadow-sm placeholder:text-slate-500 aria-[invalid=true]:border-red-600"
        />
        {problem ? (
          <p id="user-code-error" role="alert" className="mt-2 text-sm text-red-700" data-testid="device-problem">
            {problem}
          </p>
        ) : null}
        <button type="submit" className={`${buttonStyles.primary} mt-4 w-full`}>
          Continue
        </button>
      </form>
      <p className="mt-5 text-sm text-slate-700">
        Signed in as <strong>{user.email}</strong>.{" "}
        <Link
          href={`/login?switch=1&callbackUrl=${encodeURIComponent(devicePath({ userCode }))}`}
          className="font-medium text-indigo-700 underline"
        >
          Not you? Switch account
        </Link>
      </p>
    </PublicCard>
  );
}
