/**
 * Reading the audit trail: filters and keyset pagination (newest first, `id < cursor`), which stays
 * fast at any depth because every filter has an index ending in id; and chain verification in batches.
 */
import { z } from "zod";
import type { Db, Prisma } from "../db";
import { GENESIS_HASH, verifyRun, type ChainBreak } from "../domain/audit/hash-chain";

export const zAuditFilter = z.object({
  actor: z.string().trim().max(254).optional(),
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(50).optional(),
  targetId: z.string().trim().max(128).optional(),
  result: z.enum(["success", "denied", "error"]).optional(),
  from: z.coerce.date({ error: "from must be a date" }).optional(),
  to: z.coerce.date({ error: "to must be a date" }).optional(),
});
export type AuditFilter = z.infer<typeof zAuditFilter>;

export function auditWhere(f: AuditFilter): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = {};
  if (f.actor) where.OR = [{ actorEmail: f.actor.toLowerCase() }, { actorId: f.actor }];
  if (f.action) where.action = f.action;
  if (f.targetType) where.targetType = f.targetType;
  if (f.targetId) where.targetId = f.targetId;
  if (f.result) where.result = f.result;
  if (f.from || f.to) where.occurredAt = { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lte: f.to } : {}) };
  return where;
}

export const auditSelect = {
  id: true,
  occurredAt: true,
  actorId: true,
  actorEmail: true,
  persona: true,
  action: true,
  targetType: true,
  targetId: true,
  before: true,
  after: true,
  requestId: true,
  clientAddress: true,
  result: true,
  message: true,
  prevHash: true,
  hash: true,
} as const;

export async function listAuditPage(db: Db, filter: AuditFilter, cursor: bigint | null, limit: number) {
  const rows = await db.auditEvent.findMany({
    where: { ...auditWhere(filter), ...(cursor !== null ? { id: { lt: cursor } } : {}) },
    orderBy: { id: "desc" },
    take: limit + 1,
    select: auditSelect,
  });
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

export type VerifyResult = { ok: true; checked: number; lastHash: string } | { ok: false; checked: number; break: ChainBreak };

/** Recomputes the whole chain from the first event, 5,000 at a time. */
export async function verifyAuditChain(db: Db, batch = 5000): Promise<VerifyResult> {
  let prev = GENESIS_HASH;
  let cursor: bigint | null = null;
  let checked = 0;
  for (;;) {
    const rows: Awaited<ReturnType<typeof db.auditEvent.findMany<{ select: typeof auditSelect }>>> = await db.auditEvent.findMany({
      where: cursor === null ? {} : { id: { gt: cursor } },
      orderBy: { id: "asc" },
      take: batch,
      select: auditSelect,
    });
    if (rows.length === 0) return { ok: true, checked, lastHash: prev };
    const r = verifyRun(rows, prev);
    if (!r.ok) return { ok: false, checked: checked + rows.findIndex((e) => e.id === r.break.id), break: r.break };
    prev = r.lastHash;
    checked += rows.length;
    cursor = rows[rows.length - 1]!.id;
  }
}
