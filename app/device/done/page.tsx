import type { Metadata } from "next";
import Link from "next/link";
import { toUrlSearchParams, type PageSearchParams } from "@/lib/web/search-params";
import { PublicCard } from "@/components/public-card";
import type { DoneOutcome } from "../_components/paths";

export const metadata: Metadata = { title: "Device" };

const outcomes: Record<DoneOutcome, { title: string; message: string; again?: boolean }> = {
  approved: { title: "Device connected", message: "You can return to your device: it will continue on its own." },
  denied: { title: "Access denied", message: "The device was not given access. You can close this page." },
  refused: {
    title: "Access not allowed",
    message: "Your account may not use this application, so the device was not given access.",
  },
  expired: {
    title: "Code expired",
    message: "The code expired before you answered. Start again on your device to get a new one.",
    again: true,
  },
  used: {
    title: "Code already used",
    message: "This request was already answered. Start again on your device if it is not connected.",
    again: true,
  },
};

export default async function DeviceDonePage({ searchParams }: { searchParams: Promise<PageSearchParams> }) {
  const outcome = toUrlSearchParams(await searchParams).get("outcome");
  const shown = outcome !== null && Object.hasOwn(outcomes, outcome) ? outcomes[outcome as DoneOutcome] : null;
  return (
    <PublicCard title={shown?.title ?? "Connect a device"}>
      <p className="mt-2 text-sm text-slate-700" role="status" data-testid="device-result">
        {shown?.message ?? "Enter the code your device shows to connect it."}
      </p>
      {!shown || shown.again ? (
        <p className="mt-4 text-sm">
          <Link href="/device" className="font-medium text-indigo-700 underline">
            Enter a code
          </Link>
        </p>
      ) : null}
    </PublicCard>
  );
}
