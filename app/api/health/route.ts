/** Liveness for load balancers, and the benchmark's "trivial Next route handler" baseline. */
export function GET() {
  return Response.json({ status: "ok" }, { headers: { "Cache-Control": "no-store" } });
}
