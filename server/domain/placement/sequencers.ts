// The order in which a resource group's scheduler tries its pending sessions: Backend.AI's sequencers.
// fifo and lifo by creation time; drf (dominant resource fairness) serves first the user whose largest
// share of any resource is smallest, oldest session first within a user.
import type { Slots } from "./select-hosts";

export interface PendingSession {
  id: string;
  userId: string;
  /** Milliseconds since the epoch (or any monotone clock). */
  createdAt: number;
  /** The whole session's request (all kernels). */
  requested: Slots;
}

export type SequencerKind = "fifo" | "lifo" | "drf";

export interface DrfContext {
  /** The resource group's total capacity. */
  capacity: Slots;
  /** What each user's running sessions hold now. */
  usageByUser: ReadonlyMap<string, Slots>;
}

const byAge = (a: PendingSession, b: PendingSession) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Oldest first; ties by id. Returns a new array. */
export function sequenceFifo(sessions: readonly PendingSession[]): PendingSession[] {
  return [...sessions].sort(byAge);
}

/** Newest first; ties by id. Returns a new array. */
export function sequenceLifo(sessions: readonly PendingSession[]): PendingSession[] {
  return [...sessions].sort((a, b) => byAge(b, a));
}

/** A user's dominant share: the largest fraction of any resource the group has. */
export function dominantShare(usage: Slots, capacity: Slots): number {
  const share = (used: number, total: number) => (total > 0 ? used / total : 0);
  return Math.max(share(usage.cpu, capacity.cpu), share(usage.memBytes, capacity.memBytes), share(usage.gpus, capacity.gpus));
}

/**
 * Progressive DRF: repeatedly take the oldest session of the user with the smallest dominant share, then
 * count that session as theirs, so one user's queue cannot starve the others. Ties go to the user whose
 * next session is older. Returns a new array.
 */
export function sequenceDrf(sessions: readonly PendingSession[], ctx: DrfContext): PendingSession[] {
  const queues = new Map<string, PendingSession[]>();
  for (const s of sequenceFifo(sessions)) queues.set(s.userId, [...(queues.get(s.userId) ?? []), s]);
  const usage = new Map<string, Slots>();
  for (const user of queues.keys()) usage.set(user, { ...(ctx.usageByUser.get(user) ?? { cpu: 0, memBytes: 0, gpus: 0 }) });
  const out: PendingSession[] = [];
  while (out.length < sessions.length) {
    let bestUser: string | null = null;
    let bestShare = Infinity;
    for (const [user, queue] of queues) {
      if (queue.length === 0) continue;
      const share = dominantShare(usage.get(user)!, ctx.capacity);
      if (share < bestShare || (share === bestShare && bestUser !== null && byAge(queue[0]!, queues.get(bestUser)![0]!) < 0)) {
        bestUser = user;
        bestShare = share;
      }
    }
    const next = queues.get(bestUser!)!.shift()!;
    const u = usage.get(bestUser!)!;
    usage.set(bestUser!, { cpu: u.cpu + next.requested.cpu, memBytes: u.memBytes + next.requested.memBytes, gpus: u.gpus + next.requested.gpus });
    out.push(next);
  }
  return out;
}

/** The resource group's sequencer by name. drf needs ctx; without it every user counts as idle. */
export function sequencePending(kind: SequencerKind, sessions: readonly PendingSession[], ctx?: DrfContext): PendingSession[] {
  if (kind === "fifo") return sequenceFifo(sessions);
  if (kind === "lifo") return sequenceLifo(sessions);
  return sequenceDrf(sessions, ctx ?? { capacity: { cpu: 0, memBytes: 0, gpus: 0 }, usageByUser: new Map() });
}
