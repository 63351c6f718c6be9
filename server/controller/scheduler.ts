/**
 * The scheduler: per resource group, orders PENDING sessions with the group's sequencer (fifo, lifo,
 * drf), places each kernel with server/domain/placement, and reserves the placement in ONE
 * transaction — session and kernels to SCHEDULED, one Allocation per GPU. Double-booking is
 * impossible even with two schedulers at once: the session row is locked (FOR UPDATE SKIP LOCKED)
 * and the database refuses a GPU in two live allocations; a loser rolls back and retries next tick.
 * A session that cannot be placed keeps a pending reason in words; past the group's pending timeout
 * it is CANCELLED.
 */
import type { Db, Tx } from "../db";
import { appendAuditEvent } from "../audit/record";
import { SESSION_STATUS_CHANNEL } from "../realtime/channels";
import { selectHosts, type PlacementHost, type KernelPlacement, type SelectHostsOptions, type SelectHostsResult, type SessionRequest } from "../domain/placement/select-hosts";
import { sequencePending, type PendingSession } from "../domain/placement/sequencers";
import type { PlacementGpu } from "../domain/placement/choose-gpus";
import type { PassthroughState } from "../domain/topology/passthrough";
import { RESOURCE_OCCUPYING_SESSION_STATUSES } from "../domain/sessions/status";

const PASSTHROUGH: Record<string, PassthroughState> = { ready: "ready", needs_vfio: "needs-vfio", unsafe_group: "unsafe-group", no_iommu: "no-iommu" };
/** Waiting sessions whose new pending reason is written in one statement. */
const REASON_BATCH = 500;
/** Kernel statuses that hold their host's resources. */
const OCCUPYING_KERNEL = ["SCHEDULED", "PREPARING", "PULLING", "PREPARED", "CREATING", "RUNNING", "RESTARTING", "TERMINATING"] as const;

type Requested = { cpu?: number; mem?: number; "cuda.device"?: number };
const slotsOf = (r: unknown) => {
  const s = (r ?? {}) as Requested;
  return { cpu: s.cpu ?? 0, memBytes: s.mem ?? 0, gpus: s["cuda.device"] ?? 0 };
};

export type ScheduleResult = { scheduled: string[]; waiting: { id: string; reason: string }[]; cancelled: string[]; conflicts: number };

/** One session's decision in a pass: placed and reserved, left waiting, lost to another scheduler. */
export type ScheduleDecision = { sessionId: string; outcome: "scheduled" | "waiting" | "conflict" | "taken"; ms: number };

export interface ScheduleOptions {
  /** Called after each session's decision with the time from picking it to its reservation committed or refused. */
  onDecision?: (decision: ScheduleDecision) => void;
  /** The placement rule; selectHosts unless a benchmark compares another one. */
  place?: typeof selectHosts;
}

async function loadHosts(db: Db, resourceGroupId: string): Promise<PlacementHost[]> {
  const agents = await db.agent.findMany({
    where: { resourceGroupId, status: "ALIVE", schedulable: true },
    select: {
      id: true,
      status: true,
      schedulable: true,
      backend: true,
      availableSlots: true,
      computePlugins: true,
      gpus: { select: { pciAddress: true, passthrough: true, quarantined: true, numaNode: true, pcieSwitch: true, nvlinkDomain: true, iommuGroupNumber: true, allocations: { where: { releasedAt: null }, select: { id: true } } } },
      kernels: { where: { status: { in: [...OCCUPYING_KERNEL] } }, select: { requestedSlots: true } },
    },
  });
  return agents.map((a) => {
    const kata = ((a.computePlugins ?? {}) as { kata?: { vmOverheadMb?: number; maxGpusPerVm?: number } }).kata ?? {};
    const vmOverheadBytes = (kata.vmOverheadMb ?? 0) * 1024 * 1024;
    const cap = slotsOf(a.availableSlots);
    const occupied = { cpu: 0, memBytes: 0, gpus: 0 };
    for (const k of a.kernels) {
      const r = slotsOf(k.requestedSlots);
      occupied.cpu += r.cpu;
      occupied.memBytes += r.memBytes + vmOverheadBytes;
      occupied.gpus += r.gpus;
    }
    const gpus: PlacementGpu[] = a.gpus.map((g) => ({
      address: g.pciAddress,
      passthrough: PASSTHROUGH[g.passthrough] ?? "unsafe-group",
      quarantined: g.quarantined,
      allocated: g.allocations.length > 0,
      numaNode: g.numaNode,
      pcieSwitch: g.pcieSwitch,
      nvlinkDomain: g.nvlinkDomain,
      iommuGroup: g.iommuGroupNumber,
    }));
    // GPUs offered = every GPU, not only the ones free now: placement tells "busy" from "unsafe".
    return { id: a.id, status: a.status, schedulable: a.schedulable, backend: a.backend, capacity: { cpu: cap.cpu, memBytes: cap.memBytes, gpus: gpus.length }, occupied, vmOverheadBytes, maxGpusPerVm: kata.maxGpusPerVm ?? 8, gpus };
  });
}

/**
 * The hosts of one pass as placement sees them, with two shortcuts that leave every answer exactly
 * as `place(allHosts, …)` would give it (placement is pure: same hosts and request, same answer):
 *
 * - A refusal is remembered per request until a host changes, so a long queue of sessions that
 *   cannot fit costs one placement per distinct request shape, not one per session.
 * - For selectHosts and one-VM sessions, hosts whose placement-relevant state is identical (all but
 *   the id) are interchangeable: their GPU choice, locality, utilisation and room are the same, and
 *   the only tie-breaks are the lowest id (among fits) and the first in load order (for the "most
 *   free" host a refusal names). So placing over one host per class — its lowest id and its first in
 *   load order, kept in load order — gives the same placement or the same refusal, over tens of hosts
 *   instead of a thousand. Clusters (counts appear in their reasons) use every host.
 */
class PassHosts {
  private readonly classOf: number[];
  private readonly classIds = new Map<string, number>();
  private representatives: PlacementHost[] | null = null;
  private readonly refusals = new Map<string, SelectHostsResult>();
  private readonly byId: Map<string, number>;

  constructor(readonly hosts: PlacementHost[]) {
    this.byId = new Map(hosts.map((h, i) => [h.id, i]));
    this.classOf = hosts.map((h) => this.classIdOf(h));
  }

  private classIdOf(h: PlacementHost): number {
    const { id: _id, ...rest } = h;
    const key = JSON.stringify(rest);
    let c = this.classIds.get(key);
    if (c === undefined) this.classIds.set(key, (c = this.classIds.size));
    return c;
  }

  host(id: string): PlacementHost | undefined {
    const i = this.byId.get(id);
    return i === undefined ? undefined : this.hosts[i];
  }

  /** Call after changing a host in place. */
  changed(h: PlacementHost): void {
    this.classOf[this.byId.get(h.id)!] = this.classIdOf(h);
    this.representatives = null;
    this.refusals.clear();
  }

  private reps(): PlacementHost[] {
    if (this.representatives) return this.representatives;
    const first = new Map<number, number>();
    const lowest = new Map<number, number>();
    this.hosts.forEach((h, i) => {
      const c = this.classOf[i]!;
      if (!first.has(c)) first.set(c, i);
      const l = lowest.get(c);
      if (l === undefined || h.id < this.hosts[l]!.id) lowest.set(c, i);
    });
    const keep = new Set([...first.values(), ...lowest.values()]);
    return (this.representatives = this.hosts.filter((_, i) => keep.has(i)));
  }

  place(place: typeof selectHosts, request: SessionRequest, options: SelectHostsOptions): SelectHostsResult {
    const key = JSON.stringify(request);
    const refused = this.refusals.get(key);
    if (refused) return refused;
    const r = place === selectHosts && request.clusterSize === 1 ? selectHosts(this.reps(), request, options) : place(this.hosts, request, options);
    if (!r.ok) this.refusals.set(key, r);
    return r;
  }
}

/**
 * Reserves one session's placement inside `tx`: false when the session is no longer PENDING or another
 * scheduler holds it. Throws the database's unique violation (allocations_one_live_per_gpu) when a GPU
 * was taken meanwhile. One statement does the whole reservation (lock, allocations, kernels, session,
 * their status history) because every round trip here is paid once per placed session; the audit
 * event follows in the same transaction.
 */
async function reserve(tx: Tx, sessionId: string, placements: KernelPlacement[]): Promise<boolean> {
  // Timestamps are stored as UTC wall-clock time, as Prisma writes them.
  const at = new Date().toISOString();
  // Placement numbers kernels from 0; kernels.clusterIdx is Backend.AI's 1-based index.
  const idx = placements.map((p) => p.clusterIdx + 1);
  const hostIds = placements.map((p) => p.hostId);
  const devices = placements.map((p) => JSON.stringify({ "cuda.device": p.gpus.map((g) => ({ pciAddress: g.address, iommuGroup: g.iommuGroup })), locality: p.locality, nics: p.nics }));
  const reasons = placements.map((p) => `placed on ${p.hostId} (${p.gpus.length ? `${p.gpus.length} GPUs, ${p.locality}` : "no GPUs"})`);
  const gpuIdx = placements.flatMap((p) => p.gpus.map(() => p.clusterIdx + 1));
  const gpuAddresses = placements.flatMap((p) => p.gpus.map((g) => g.address));
  const sessionReason = `placed on ${[...new Set(hostIds)].join(", ")}`;
  const [row] = await tx.$queryRaw<{ locked: number; kernels: number[] }[]>`
    WITH locked AS (
      SELECT id FROM sessions WHERE id = ${sessionId}::uuid AND status = 'PENDING' FOR UPDATE SKIP LOCKED
    ), placed AS (
      SELECT k.id, k.status, k."clusterIdx", p.host, p.devices, p.reason
      FROM locked JOIN kernels k ON k."sessionId" = locked.id
      JOIN unnest(${idx}::int[], ${hostIds}::text[], ${devices}::text[], ${reasons}::text[]) AS p(idx, host, devices, reason) ON k."clusterIdx" = p.idx
    ), alloc AS (
      INSERT INTO allocations (id, "kernelId", "gpuId", "agentId")
      SELECT gen_random_uuid(), placed.id, g.id, g."agentId"
      FROM unnest(${gpuIdx}::int[], ${gpuAddresses}::text[]) AS a(idx, address)
      JOIN placed ON placed."clusterIdx" = a.idx
      JOIN gpus g ON g."agentId" = placed.host AND g."pciAddress" = a.address
    ), kernel AS (
      UPDATE kernels SET "agentId" = placed.host, status = 'SCHEDULED', "statusChangedAt" = (${at}::timestamptz AT TIME ZONE 'UTC'), "attachedDevices" = placed.devices::jsonb
      FROM placed WHERE kernels.id = placed.id
    ), kernel_history AS (
      INSERT INTO kernel_status_history ("kernelId", "fromStatus", "toStatus", reason, "createdAt")
      SELECT id, status, 'SCHEDULED', reason, (${at}::timestamptz AT TIME ZONE 'UTC') FROM placed
    ), session AS (
      UPDATE sessions SET status = 'SCHEDULED', "pendingReason" = NULL, "statusInfo" = 'scheduled', "updatedAt" = (${at}::timestamptz AT TIME ZONE 'UTC')
      FROM locked WHERE sessions.id = locked.id RETURNING sessions.id
    ), session_history AS (
      INSERT INTO session_status_history ("sessionId", "fromStatus", "toStatus", reason, "createdAt")
      SELECT id, 'PENDING', 'SCHEDULED', ${sessionReason}, (${at}::timestamptz AT TIME ZONE 'UTC') FROM session
    )
    SELECT (SELECT count(*) FROM locked)::int AS locked, (SELECT coalesce(array_agg("clusterIdx"), '{}') FROM placed) AS kernels`;
  if (!row || row.locked === 0) return false; // another scheduler has it, or it was cancelled meanwhile
  const missing = placements.find((p) => !row.kernels.includes(p.clusterIdx + 1));
  // Throwing rolls the whole reservation back.
  if (missing) throw new Error(`session ${sessionId} has no kernel ${missing.clusterIdx}`);
  await tx.$executeRaw`SELECT pg_notify(${SESSION_STATUS_CHANNEL}, ${sessionId})`;
  await appendAuditEvent(tx, { actor: null, requestId: `schedule-${sessionId}`, clientAddress: null }, {
    action: "sessions.schedule",
    targetType: "session",
    targetId: sessionId,
    before: { status: "PENDING" },
    after: { status: "SCHEDULED", placements: placements.map((p) => ({ host: p.hostId, gpus: p.gpus.map((g) => g.address), locality: p.locality })) },
    result: "success",
  });
  return true;
}

/** One pass over every active resource group. Safe to run from several controllers at once. */
export async function scheduleOnce(db: Db, now = new Date(), options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const { onDecision, place = selectHosts } = options;
  const result: ScheduleResult = { scheduled: [], waiting: [], cancelled: [], conflicts: 0 };
  const groups = await db.resourceGroup.findMany({ where: { isActive: true, sessions: { some: { status: "PENDING" } } } });
  for (const rg of groups) {
    const pending = await db.session.findMany({
      where: { resourceGroupId: rg.id, status: "PENDING" },
      select: { id: true, ownerId: true, createdAt: true, requestedSlots: true, clusterSize: true, pendingReason: true },
    });
    // Pending timeout first: those never get placed.
    const live: typeof pending = [];
    for (const s of pending) {
      if (rg.pendingTimeoutSec > 0 && now.getTime() - s.createdAt.getTime() > rg.pendingTimeoutSec * 1000) {
        const reason = `pending-timeout: not placed within ${rg.pendingTimeoutSec} s`;
        const done = await db.$transaction(async (tx) => {
          const n = await tx.session.updateMany({ where: { id: s.id, status: "PENDING" }, data: { status: "CANCELLED", statusInfo: reason, pendingReason: null, terminatedAt: now } });
          if (!n.count) return false;
          await tx.sessionStatusHistory.create({ data: { sessionId: s.id, fromStatus: "PENDING", toStatus: "CANCELLED", reason } });
          const ks = await tx.kernel.findMany({ where: { sessionId: s.id }, select: { id: true, status: true } });
          for (const k of ks) await tx.kernel.update({ where: { id: k.id }, data: { status: "CANCELLED", terminatedAt: now, statusHistory: { create: { fromStatus: k.status, toStatus: "CANCELLED", reason } } } });
          await tx.$executeRaw`SELECT pg_notify(${SESSION_STATUS_CHANNEL}, ${s.id})`;
          await appendAuditEvent(tx, { actor: null, requestId: `timeout-${s.id}`, clientAddress: null }, { action: "sessions.cancel", targetType: "session", targetId: s.id, before: { status: "PENDING" }, after: { status: "CANCELLED" }, result: "success", message: reason });
          return true;
        });
        if (done) result.cancelled.push(s.id);
      } else live.push(s);
    }
    if (!live.length) continue;
    const hosts = await loadHosts(db, rg.id);
    const capacity = hosts.reduce((a, h) => ({ cpu: a.cpu + h.capacity.cpu, memBytes: a.memBytes + h.capacity.memBytes, gpus: a.gpus + h.capacity.gpus }), { cpu: 0, memBytes: 0, gpus: 0 });
    const usageByUser = new Map<string, { cpu: number; memBytes: number; gpus: number }>();
    for (const s of await db.session.findMany({ where: { resourceGroupId: rg.id, status: { in: [...RESOURCE_OCCUPYING_SESSION_STATUSES] } }, select: { ownerId: true, requestedSlots: true, clusterSize: true } })) {
      const r = slotsOf(s.requestedSlots);
      const u = usageByUser.get(s.ownerId) ?? { cpu: 0, memBytes: 0, gpus: 0 };
      usageByUser.set(s.ownerId, { cpu: u.cpu + r.cpu * s.clusterSize, memBytes: u.memBytes + r.memBytes * s.clusterSize, gpus: u.gpus + r.gpus * s.clusterSize });
    }
    const byId = new Map(live.map((s) => [s.id, s]));
    const view = new PassHosts(hosts);
    const order = sequencePending(
      rg.scheduler,
      live.map((s): PendingSession => {
        const r = slotsOf(s.requestedSlots);
        return { id: s.id, userId: s.ownerId, createdAt: s.createdAt.getTime(), requested: { cpu: r.cpu * s.clusterSize, memBytes: r.memBytes * s.clusterSize, gpus: r.gpus * s.clusterSize } };
      }),
      { capacity, usageByUser },
    );
    // Pending reasons are written a batch at a time (one statement, not one per waiting session) and
    // always before the pass returns.
    const reasons = new Map<string, string>();
    const writeReasons = async () => {
      if (!reasons.size) return;
      const ids = [...reasons.keys()];
      const texts = [...reasons.values()];
      reasons.clear();
      await db.$executeRaw`
        UPDATE sessions SET "pendingReason" = r.reason, "updatedAt" = (${new Date().toISOString()}::timestamptz AT TIME ZONE 'UTC')
        FROM unnest(${ids}::uuid[], ${texts}::text[]) AS r(id, reason)
        WHERE sessions.id = r.id AND sessions.status = 'PENDING'`;
    };
    try {
      for (const p of order) {
        const t0 = onDecision ? performance.now() : 0;
        const decided = (outcome: ScheduleDecision["outcome"]) => onDecision?.({ sessionId: p.id, outcome, ms: performance.now() - t0 });
        const s = byId.get(p.id)!;
        const placed = view.place(place, { kernel: slotsOf(s.requestedSlots), clusterSize: s.clusterSize }, { resourceGroup: rg.name, backend: rg.backend, strategy: rg.agentSelection });
        if (!placed.ok) {
          if (placed.reason !== s.pendingReason) {
            reasons.set(s.id, placed.reason);
            if (reasons.size >= REASON_BATCH) await writeReasons();
          }
          result.waiting.push({ id: s.id, reason: placed.reason });
          decided("waiting");
          continue;
        }
        try {
          const ok = await db.$transaction((tx) => reserve(tx, s.id, placed.placements), { timeout: 15_000 });
          if (!ok) {
            decided("taken");
            continue;
          }
          result.scheduled.push(s.id);
          decided("scheduled");
          // Later sessions in this pass see what this one took.
          for (const pl of placed.placements) {
            const h = view.host(pl.hostId)!;
            h.occupied = { cpu: h.occupied.cpu + pl.reserve.cpu, memBytes: h.occupied.memBytes + pl.reserve.memBytes, gpus: h.occupied.gpus + pl.reserve.gpus };
            for (const g of pl.gpus) {
              const gpu = h.gpus.find((x) => x.address === g.address);
              if (gpu) gpu.allocated = true;
            }
            view.changed(h);
          }
        } catch (e) {
          // Another scheduler took one of these GPUs first (allocations_one_live_per_gpu): retry next pass.
          if ((e as { code?: string }).code === "P2002" || /allocations_one_live_per_gpu|Unique constraint/.test(String(e))) {
            result.conflicts++;
            decided("conflict");
          } else throw e;
        }
      }
    } finally {
      await writeReasons();
    }
  }
  return result;
}

