import Link from "next/link";
import { formatTotal, hasNextPage, type Page } from "@/lib/pagination";
import { buttonStyles } from "./button";

/**
 * "Showing a–b of n", First / Previous / Page x of y / Next / Last. Renders nothing for a single
 * page unless asked. A total that was not counted to the end reads "n+", and has no Last.
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
  if (!showRange && page.page === 1 && !hasNextPage(page)) return null;
  const first = (page.page - 1) * page.pageSize + 1;
  return (
    <nav
      aria-label={label}
      className="mt-4 flex flex-col items-center justify-between gap-3 text-sm text-slate-700 sm:flex-row"
    >
      {showRange ? (
        <p>
          Showing {first}–{first + page.items.length - 1} of {formatTotal(page)}
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
          Page {page.page} of {pageCountLabel(page)}
        </span>
        {hasNextPage(page) ? (
          <Link className={buttonStyles.secondary} href={hrefFor(page.page + 1)} rel="next">
            Next
          </Link>
        ) : null}
        {page.totalIsExact && page.page < page.pageCount - 1 ? (
          <Link className={buttonStyles.secondary} href={hrefFor(page.pageCount)}>
            Last
          </Link>
        ) : null}
      </div>
    </nav>
  );
}

/** "12", or "400+" when the total was not counted to the end. */
export function pageCountLabel(page: Page<unknown>): string {
  return `${page.pageCount.toLocaleString("en-US")}${page.totalIsExact ? "" : "+"}`;
}
