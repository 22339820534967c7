import { auditCsv, auditEntriesFor } from "@/lib/audit/export";
import { auditQueryFrom } from "@/lib/audit/queries";
import { db } from "@/lib/db/client";
import { requireAdmin } from "@/lib/web/session";

/** The audit log's entries under the page's filters, as CSV (?format=csv) or JSON (?format=json). */
export async function GET(request: Request): Promise<Response> {
  await requireAdmin();
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = params.format === "json" ? "json" : "csv";
  const query = auditQueryFrom(params);
  if (query.dateErrors) {
    const message = [query.dateErrors.from, query.dateErrors.to].filter(Boolean).join(" ");
    return new Response(`The date range is not valid: ${message}`, {
      status: 400,
      headers: { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store" },
    });
  }
  const entries = await auditEntriesFor(db(), query);
  const stamp = new Date().toISOString().slice(0, 10);
  const headers = {
    "content-disposition": `attachment; filename="portcullis-audit-${stamp}.${format}"`,
    "cache-control": "no-store",
  };
  if (format === "json") {
    return Response.json(entries, { headers });
  }
  return new Response(auditCsv(entries), { headers: { ...headers, "content-type": "text/csv; charset=utf-8" } });
}
