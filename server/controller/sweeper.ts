/** Marks agents LOST after missed heartbeats (Backend.AI's default: 40 s), each change audited. */
import type { Db } from "../db";
import { appendAuditEvent } from "../audit/record";

export async function sweepLostAgents(db: Db, timeoutSec: number, now = new Date()): Promise<string[]> {
  const cutoff = new Date(now.getTime() - timeoutSec * 1000);
  const stale = await db.agent.findMany({ where: { status: "ALIVE", OR: [{ lastHeartbeatAt: { lt: cutoff } }, { lastHeartbeatAt: null }] }, select: { id: true, lastHeartbeatAt: true } });
  for (const a of stale) {
    const reason = `no heartbeat for ${timeoutSec} s (last ${a.lastHeartbeatAt?.toISOString() ?? "never"})`;
    await db.$transaction(async (tx) => {
      const n = await tx.agent.updateMany({ where: { id: a.id, status: "ALIVE" }, data: { status: "LOST", statusReason: reason, statusChangedAt: now, lostAt: now } });
      if (n.count) {
        await appendAuditEvent(tx, { actor: null, requestId: `sweep-${a.id}-${now.getTime()}`, clientAddress: null }, {
          action: "agents.lost",
          targetType: "agent",
          targetId: a.id,
          before: { status: "ALIVE" },
          after: { status: "LOST" },
          result: "success",
          message: reason,
        });
      }
    });
  }
  return stale.map((a) => a.id);
}
