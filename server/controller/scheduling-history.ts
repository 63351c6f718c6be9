/**
 * BEP-1030's scheduling history: one row per outcome of a phase ("schedule", "start", "terminate"),
 * with consecutive identical outcomes folded into one row whose `attempts` grows — so a host that
 * refuses a kernel three times is one line that says "3 attempts", not three.
 */
import type { Db, Tx } from "../db";
import type { SchedulingResult, SessionStatus } from "../db/generated/enums";

export type SchedulingPhase = "schedule" | "start" | "terminate";

export interface SchedulingAttempt {
  sessionId: string;
  phase: SchedulingPhase;
  agentId?: string | null;
  fromStatus?: SessionStatus | null;
  toStatus?: SessionStatus | null;
  result: SchedulingResult;
  errorCode?: string | null;
  message: string;
}

/** Records one attempt; returns how many consecutive identical attempts the row now counts. */
export async function recordAttempt(db: Db | Tx, a: SchedulingAttempt, now = new Date()): Promise<number> {
  const last = await db.sessionSchedulingHistory.findFirst({ where: { sessionId: a.sessionId, phase: a.phase }, orderBy: { id: "desc" } });
  const same =
    last &&
    last.result === a.result &&
    (last.agentId ?? null) === (a.agentId ?? null) &&
    (last.errorCode ?? null) === (a.errorCode ?? null) &&
    last.message === a.message &&
    (last.toStatus ?? null) === (a.toStatus ?? null);
  if (same) {
    const row = await db.sessionSchedulingHistory.update({ where: { id: last.id }, data: { attempts: { increment: 1 }, updatedAt: now } });
    return row.attempts;
  }
  await db.sessionSchedulingHistory.create({
    data: {
      sessionId: a.sessionId,
      phase: a.phase,
      agentId: a.agentId ?? null,
      fromStatus: a.fromStatus ?? null,
      toStatus: a.toStatus ?? null,
      result: a.result,
      errorCode: a.errorCode ?? null,
      message: a.message,
      createdAt: now,
      updatedAt: now,
    },
  });
  return 1;
}

/** Failed start attempts on `agentId` since the session was last placed there (the current NEED_RETRY run). */
export async function startAttemptsOn(db: Db | Tx, sessionId: string, agentId: string): Promise<number> {
  const last = await db.sessionSchedulingHistory.findFirst({ where: { sessionId, phase: "start" }, orderBy: { id: "desc" } });
  return last && last.agentId === agentId && last.result === "NEED_RETRY" ? last.attempts : 0;
}

/** How many times the session was sent back to PENDING after a failed start. */
export function reschedulesOf(db: Db | Tx, sessionId: string): Promise<number> {
  return db.sessionSchedulingHistory.count({ where: { sessionId, phase: "start", toStatus: "PENDING", result: { in: ["GIVE_UP", "EXPIRED"] } } });
}

/** Hosts that gave up starting each of these sessions: the scheduler places them elsewhere. */
export async function hostsThatGaveUp(db: Db, sessionIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (!sessionIds.length) return out;
  const rows = await db.sessionSchedulingHistory.findMany({
    where: { sessionId: { in: sessionIds }, phase: "start", result: { in: ["GIVE_UP", "EXPIRED"] }, agentId: { not: null } },
    select: { sessionId: true, agentId: true },
  });
  for (const r of rows) out.set(r.sessionId, [...new Set([...(out.get(r.sessionId) ?? []), r.agentId!])]);
  return out;
}
