/**
 * GET /api/audit/export?format=csv|jsonl&actor=&action=&targetType=&targetId=&result=&from=&to=
 * Streams the filtered audit trail, oldest first, for auditors and admins (permission audit.export).
 */
import { resolveActor } from "@/server/api/context";
import { mayEver } from "@/server/authz/permissions";
import { auditSelect, auditWhere, zAuditFilter } from "@/server/audit/query";
import { db } from "@/server/db";

export const dynamic = "force-dynamic";

const COLUMNS = ["id", "occurredAt", "actorEmail", "actorId", "persona", "action", "targetType", "targetId", "result", "message", "requestId", "clientAddress", "before", "after", "prevHash", "hash"] as const;

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" && !(v instanceof Date) ? JSON.stringify(v) : v instanceof Date ? v.toISOString() : String(v);
  // Quote always; neutralise spreadsheet formula injection.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replace(/"/g, '""')}"`;
}

export async function GET(req: Request) {
  const { actor } = await resolveActor(req.headers);
  if (!actor) return Response.json({ error: "Please sign in." }, { status: 401 });
  if (!mayEver(actor, "audit.export")) return Response.json({ error: `Your role (${actor.role}) does not allow audit.export.` }, { status: 403 });
  const url = new URL(req.url);
  const format = url.searchParams.get("format") ?? "csv";
  if (format !== "csv" && format !== "jsonl") return Response.json({ error: `format must be csv or jsonl, not "${format}"` }, { status: 400 });
  const parsed = zAuditFilter.safeParse(Object.fromEntries([...url.searchParams].filter(([k, v]) => k !== "format" && v !== "")));
  if (!parsed.success) {
    return Response.json({ error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") }, { status: 400 });
  }
  const where = auditWhere(parsed.data);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      if (format === "csv") controller.enqueue(encoder.encode(COLUMNS.join(",") + "\n"));
      let cursor: bigint | null = null;
      try {
        for (;;) {
          const rows: { id: bigint }[] = await db().auditEvent.findMany({
            where: { ...where, ...(cursor !== null ? { id: { gt: cursor } } : {}) },
            orderBy: { id: "asc" },
            take: 2000,
            select: auditSelect,
          });
          if (rows.length === 0) break;
          const text = rows
            .map((r) =>
              format === "csv"
                ? COLUMNS.map((c) => csvCell((r as Record<string, unknown>)[c])).join(",")
                : JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
            )
            .join("\n");
          controller.enqueue(encoder.encode(text + "\n"));
          cursor = rows[rows.length - 1]!.id;
        }
        controller.close();
      } catch (e) {
        controller.error(e);
      }
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  return new Response(stream, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="hypercell-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
}
