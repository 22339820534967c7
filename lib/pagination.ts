/** Offset pagination shared by the admin lists: one page of rows, and where it sits in the whole. */

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

/** The page actually shown for a requested one (clamped to 1…pageCount) and the rows to skip. */
function pageWindow(total: number, requested: number | undefined, pageSize: number) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(Math.trunc(requested ?? 1), 1), pageCount);
  return { page, pageCount, skip: (page - 1) * pageSize };
}

/** Counts, then reads one page: `read` gets the rows to skip and take. */
export async function paginate<T>(
  count: () => Promise<number>,
  read: (window: { skip: number; take: number }) => Promise<T[]>,
  requested: number | undefined,
  pageSize: number,
): Promise<Page<T>> {
  const total = await count();
  const { page, pageCount, skip } = pageWindow(total, requested, pageSize);
  return { items: await read({ skip, take: pageSize }), total, page, pageSize, pageCount };
}
