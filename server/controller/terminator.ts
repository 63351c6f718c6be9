/**
 * Finishes terminations. A kernel that never got a VM (no container id: still SCHEDULED when its
 * session was terminated, or never started) has nothing to tear down on its host: release its GPUs
 * and mark it TERMINATED. A session whose kernels are all terminal becomes TERMINATED.
 */
import type { Db } from "../db";
import { appendAuditEvent } from "../audit/record";
import { SESSION_STATUS_CHANNEL } from "../realtime/channels";

const TERMINAL = ["TERMINATED", "CANCELLED", "ERROR"] as const;

export async function finishTerminations(db: Db, now = new Date()): Promise<string[]> {
  const sessions = await db.session.findMany({ where: { status: "TERMINATING" }, select: { id: true, statusInfo: true } });
  const done: string[] = [];
  for (const s of sessions) {
    const finished = await db.$transaction(async (tx) => {
      const kernels = await tx.kernel.findMany({ where: { sessionId: s.id }, select: { id: true, status: true, containerId: true } });
      for (const k of kernels) {
        if ((TERMINAL as readonly string[]).includes(k.status) || k.containerId) continue;
        await tx.allocation.updateMany({ where: { kernelId: k.id, releasedAt: null }, data: { releasedAt: now } });
        await tx.kernel.update({
          where: { id: k.id },
          data: { status: "TERMINATED", terminatedAt: now, statusChangedAt: now, statusHistory: { create: { fromStatus: k.status, toStatus: "TERMINATED", reason: "no VM was started; GPUs released" } } },
        });
        k.status = "TERMINATED";
      }
      if (!kernels.every((k) => (TERMINAL as readonly string[]).includes(k.status))) return false;
      const n = await tx.session.updateMany({ where: { id: s.id, status: "TERMINATING" }, data: { status: "TERMINATED", terminatedAt: now } });
      if (!n.count) return false;
      await tx.sessionStatusHistory.create({ data: { sessionId: s.id, fromStatus: "TERMINATING", toStatus: "TERMINATED", reason: s.statusInfo ?? "terminated" } });
      await tx.$executeRaw`SELECT pg_notify(${SESSION_STATUS_CHANNEL}, ${s.id})`;
      await appendAuditEvent(tx, { actor: null, requestId: `terminate-${s.id}`, clientAddress: null }, {
        action: "sessions.terminated",
        targetType: "session",
        targetId: s.id,
        before: { status: "TERMINATING" },
        after: { status: "TERMINATED" },
        result: "success",
      });
      return true;
    });
    if (finished) done.push(s.id);
  }
  return done;
}
