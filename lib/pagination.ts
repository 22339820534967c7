/** Offset pagination shared by the admin lists: one page of rows, and where it sits in the whole. */

export interface Page<T> {
  items: T[];
  /** Every matching row, or (when `totalIsExact` is false) how many were counted before stopping. */
  total: number;
  totalIsExact: boolean;
  page: number;
  pageSize: number;
  /** The pages `total` fills; when the total is not exact, more follow. */
  pageCount: number;
}

export interface PaginateOptions {
  /**
   * Count at most this many rows (beyond the requested page): a broad filter over a large table
   * matches tens of thousands of rows, and counting them all costs more than reading the page.
   * The total then reads "10,000+". Without it, every match is counted.
   */
  countCap?: number;
}

/** The admin lists' countCap: past it, "10,000+" says as much as an exact figure. */
export const listCountCap = 10_000;

/** The deepest row offset a list is read from (SQL's OFFSET; beyond it a driver may refuse the number). */
const maxOffset = 2 ** 31 - 1;

/** The page actually shown for a requested one (clamped to 1…pageCount) and the rows to skip. */
function pageWindow(total: number, requested: number | undefined, pageSize: number) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(Math.trunc(requested ?? 1), 1), pageCount);
  return { page, pageCount, skip: (page - 1) * pageSize };
}

/**
 * Reads one page and, unless that page already shows where the list ends, counts: `read` gets the
 * rows to skip and take, `count` the most rows worth counting (undefined: all of them). A search
 * that matches a few rows is thus answered by one query, not two (on a large table each one is a
 * scan).
 */
export async function paginate<T>(
  count: (limit: number | undefined) => Promise<number>,
  read: (window: { skip: number; take: number }) => Promise<T[]>,
  requested: number | undefined,
  pageSize: number,
  options: PaginateOptions = {},
): Promise<Page<T>> {
  // Bounded so that the offset stays a number every database takes; a page past the end is shown as
  // the last one below anyway.
  const wanted = Math.min(Math.max(Math.trunc(requested ?? 1), 1), Math.floor(maxOffset / pageSize));
  const skip = (wanted - 1) * pageSize;
  const items = await read({ skip, take: pageSize });
  // A page that is neither full nor empty is the last one: the rows before it, plus its own.
  if (items.length > 0 && items.length < pageSize) {
    return { items, total: skip + items.length, totalIsExact: true, page: wanted, pageSize, pageCount: wanted };
  }
  // Counting one row past max(cap, the requested page's end) tells whether more follow, and keeps
  // a deep page reachable.
  const limit = options.countCap === undefined ? undefined : Math.max(options.countCap, wanted * pageSize) + 1;
  const counted = await count(limit);
  const totalIsExact = limit === undefined || counted < limit;
  const total = totalIsExact ? counted : limit - 1;
  const window = pageWindow(total, wanted, pageSize);
  // An empty page past the end (a stale link, rows deleted meanwhile) shows the last page instead.
  const shown = window.page === wanted ? items : await read({ skip: window.skip, take: pageSize });
  return { items: shown, total, totalIsExact, page: window.page, pageSize, pageCount: window.pageCount };
}

/** One page of rows already in memory (a list assembled from several tables). */
export function pageOf<T>(all: readonly T[], requested: number | undefined, pageSize: number): Page<T> {
  const { page, pageCount, skip } = pageWindow(all.length, requested, pageSize);
  return { items: all.slice(skip, skip + pageSize), total: all.length, totalIsExact: true, page, pageSize, pageCount };
}

/** A page number from a query string (`?page=3`): a positive integer, or undefined for the first. */
export function requestedPage(value: string | string[] | undefined): number | undefined {
  const number = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(number) && number > 0 ? number : undefined;
}

/** Whether a page follows this one. */
export function hasNextPage(page: Page<unknown>): boolean {
  return page.page < page.pageCount || !page.totalIsExact;
}

/** A total for people: "1,234", or "10,000+" when counting stopped there. */
export function formatTotal(page: Pick<Page<unknown>, "total" | "totalIsExact">): string {
  return `${page.total.toLocaleString("en-US")}${page.totalIsExact ? "" : "+"}`;
}
