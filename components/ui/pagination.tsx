import Link from "next/link";
import type { Page } from "@/lib/pagination";
import { buttonStyles } from "./button";

/**
 * "Showing a–b of n", First / Previous / Page x of y / Next / Last. Renders nothing for a single
 * page unless asked.
 */
export function Pagination({
  page,
  hrefFor,
  label = "Pagination",
  showRange = true,
}: {
  page: Page<unknown>;
  hrefFor: (page: number) => string;
  label?: string;
  showRange?: boolean;
}) {
  if (!showRange && page.pageCount <= 1) return null;
  const first = (page.page - 1) * page.pageSize + 1;
  return (
    <nav
      aria-label={label}
      className="mt-4 flex flex-col items-center justify-between gap-3 text-sm text-slate-700 sm:flex-row"
    >
      {showRange ? (
        <p>
          Showing {first}–{first + page.items.length - 1} of {page.total}
        </p>
      ) : (
        <span />
      )}
      <div className="flex flex-wrap justify-center gap-2">
        {page.page > 2 ? (
          <Link className={buttonStyles.secondary} href={hrefFor(1)}>
            First
          </Link>
        ) : null}
        {page.page > 1 ? (
          <Link className={buttonStyles.secondary} href={hrefFor(page.page - 1)} rel="prev">
            Previous
          </Link>
        ) : null}
        <span className="self-center" aria-current="page">
          Page {page.page} of {page.pageCount}
        </span>
        {page.page < page.pageCount ? (
          <Link className={buttonStyles.secondary} href={hrefFor(page.page + 1)} rel="next">
            Next
          </Link>
        ) : null}
        {page.page < page.pageCount - 1 ? (
          <Link className={buttonStyles.secondary} href={hrefFor(page.pageCount)}>
            Last
          </Link>
        ) : null}
      </div>
    </nav>
  );
}
