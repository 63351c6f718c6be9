/**
 * GET /metrics/prometheus — Prometheus text exposition of the latest sample of every GPU of every
 * running session, with session, project, host and kernel labels (docs/metrics.md, "Prometheus").
 * (/metrics itself is the console's Metrics page; a route and a page cannot share a path.)
 * When HYPERCELL_METRICS_TOKEN is set, a scrape must send `Authorization: Bearer <token>`.
 */
import { timingSafeEqual } from "node:crypto";
import { db } from "@/server/db";
import { latestSamples } from "@/server/api/routers/metrics/queries";
import { renderPrometheus } from "@/server/api/routers/metrics/prometheus";

export const dynamic = "force-dynamic";

function authorised(req: Request): boolean {
  const token = process.env.HYPERCELL_METRICS_TOKEN;
  if (!token) return true;
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!m) return false;
  const a = Buffer.from(token);
  const b = Buffer.from(m[1]!.trim());
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function GET(req: Request) {
  if (!authorised(req)) {
    return new Response("unauthorised: send Authorization: Bearer <HYPERCELL_METRICS_TOKEN>\n", {
      status: 401,
      headers: { "content-type": "text/plain; charset=utf-8", "www-authenticate": 'Bearer realm="hypercell-metrics"' },
    });
  }
  const rows = await latestSamples(db(), "all");
  return new Response(renderPrometheus(rows), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
}
