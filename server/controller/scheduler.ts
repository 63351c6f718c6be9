/**
 * The scheduler: per resource group, orders PENDING sessions with the group's sequencer (fifo, lifo,
 * drf), places each kernel with server/domain/placement, and reserves each placement with ONE
 * statement — session and kernels to SCHEDULED, one Allocation per GPU — plus its audit event, in the
 * same transaction. Consecutive reservations of a pass share a transaction (./reservation: a savepoint
 * per session, the audit events chained once per batch), committed every few sessions or
 * milliseconds. Double-booking is impossible even with two schedulers at once: the session row is
 * locked (FOR UPDATE SKIP LOCKED) and the database refuses a GPU in two live allocations; a loser
 * rolls back that session (its savepoint) and retries next tick. A session that cannot be placed
 * keeps a pending reason in words; past the group's pending timeout it is CANCELLED.
 */
import type { Db, Tx } from "../db";
import { appendAuditEvent } from "../audit/record";
import { SESSION_STATUS_CHANNEL } from "../realtime/channels";
import { selectHosts, type PlacementHost, type KernelPlacement, type SelectHostsOptions, type SelectHostsResult, type SessionRequest } from "../domain/placement/select-hosts";
import { sequencePending, type PendingSession } from "../domain/placement/sequencers";
import type { PlacementGpu } from "../domain/placement/choose-gpus";
import type { PassthroughState } from "../domain/topology/passthrough";
import { RESOURCE_OCCUPYING_SESSION_STATUSES } from "../domain/sessions/status";
import type pg from "pg";
import { hostsThatGaveUp, recordAttempt } from "./scheduling-history";
import { parseVfolderMounts } from "../domain/storage/vfolder-mounts";
import { kataPluginOf } from "../domain/placement/kata-plugin";
import { isReservationConflict, RESERVE_SQL, ReservationBatch, reservationOutcome, reservationPool, reservationValues, scheduleAudit } from "./reservation";

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

/** A GPU's nearby NICs as placement sees them: passable only when bound to vfio-pci in a known IOMMU group. */
function nicsOf(raw: unknown): PlacementGpu["nics"] {
  const list = Array.isArray(raw) ? (raw as { address?: unknown; link?: unknown; driver?: unknown; iommuGroup?: unknown }[]) : [];
  return list
    .filter((n) => typeof n.address === "string" && (n.link === "same-switch" || n.link === "same-root-port"))
    .map((n) => ({ address: n.address as string, link: n.link as "same-switch" | "same-root-port", ready: n.driver === "vfio-pci" && typeof n.iommuGroup === "number" }));
}

/** The resource group's placement options (its free-form `options`): RDMA NICs and a locality floor. */
function placementOptions(options: unknown): Pick<SessionRequest, "attachNics" | "requireLocality"> {
  const o = (options ?? {}) as { attachNics?: unknown; requireLocality?: unknown };
  const locality = ["nvlink", "pcie-switch", "numa"].includes(o.requireLocality as string) ? (o.requireLocality as SessionRequest["requireLocality"]) : undefined;
  return { ...(o.attachNics === true ? { attachNics: true } : {}), ...(locality ? { requireLocality: locality } : {}) };
}


export type ScheduleResult = { scheduled: string[]; waiting: { id: string; reason: string }[]; cancelled: string[]; conflicts: number };

/** One session's decision in a pass: placed and reserved, left waiting, lost to another scheduler. */
export type ScheduleDecision = { sessionId: string; outcome: "scheduled" | "waiting" | "conflict" | "taken"; ms: number };

export interface ScheduleOptions {
  /** Called after each session's decision with the time from picking it to its reservation committed or refused. */
  onDecision?: (decision: ScheduleDecision) => void;
  /** The placement rule; selectHosts unless a benchmark compares another one. */
  place?: typeof selectHosts;
  /**
   * Reserve consecutive placements of a pass in one transaction (a savepoint per session, the audit
   * events chained and written once per batch) on a plain pg connection. Default true; false reserves
   * each session in a Prisma transaction of its own. The results are the same either way.
   */
  batch?: boolean;
  /** A batch commits once it holds this many reservations… */
  batchSize?: number;
  /** …or its first reservation was decided this long ago (bounds decision latency and lock hold). */
  batchMs?: number;
  /** The pool batches use; by default one opened from the Prisma client's own connection settings. */
  pool?: pg.Pool;
}

const BATCH_SIZE = 32;
const BATCH_MS = 10;

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
      gpus: { select: { pciAddress: true, passthrough: true, quarantined: true, numaNode: true, pcieSwitch: true, nvlinkDomain: true, iommuGroupNumber: true, nics: true, allocations: { where: { releasedAt: null }, select: { id: true } } } },
      kernels: { where: { status: { in: [...OCCUPYING_KERNEL] } }, select: { requestedSlots: true, attachedDevices: true } },
    },
  });
  return agents.map((a) => {
    const kata = kataPluginOf(a.computePlugins);
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
      nics: nicsOf(g.nics),
    }));
    const allocatedNics = a.kernels.flatMap((k) => ((k.attachedDevices ?? {}) as { nics?: string[] }).nics ?? []);
    // GPUs offered = every GPU, not only the ones free now: placement tells "busy" from "unsafe".
    return { id: a.id, status: a.status, schedulable: a.schedulable, backend: a.backend, capacity: { cpu: cap.cpu, memBytes: cap.memBytes, gpus: gpus.length }, occupied, vmOverheadBytes, maxGpusPerVm: kata.maxGpusPerVm ?? 8, storageMountpoints: kata.storageMountpoints ?? [], ...(allocatedNics.length ? { allocatedNics } : {}), gpus };
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
    const r = place === selectHosts && request.clusterSize === 1 && !request.avoidHosts?.length ? selectHosts(this.reps(), request, options) : place(this.hosts, request, options);
    if (!r.ok) this.refusals.set(key, r);
    return r;
  }
}

/**
 * Reserves one session's placement inside `tx`: false when the session is no longer PENDING or another
 * scheduler holds it. Throws the database's unique violation (allocations_one_live_per_gpu) when a GPU
 * was taken meanwhile. One statement does the whole reservation (lock, allocations, kernels, session,
 * their status history); the audit event follows in the same transaction. The unbatched path
 * (`batch: false`, or a client without a PrismaPg adapter); batches use ReservationBatch.
 */
async function reserve(tx: Tx, sessionId: string, placements: KernelPlacement[]): Promise<boolean> {
  const [row] = await tx.$queryRawUnsafe<{ locked: number; kernels: number[] }[]>(RESERVE_SQL, ...reservationValues(sessionId, placements));
  // Throwing (a missing kernel) rolls the whole reservation back.
  if (!reservationOutcome(sessionId, placements, row)) return false;
  await tx.$executeRaw`SELECT pg_notify(${SESSION_STATUS_CHANNEL}, ${sessionId})`;
  const { req, entry } = scheduleAudit(sessionId, placements);
  await appendAuditEvent(tx, req, entry);
  return true;
}

/** One pass over every active resource group. Safe to run from several controllers at once. */
export async function scheduleOnce(db: Db, now = new Date(), options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const { onDecision, place = selectHosts, batchSize = BATCH_SIZE, batchMs = BATCH_MS } = options;
  const pool = options.batch === false ? null : reservationPool(db, options.pool);
  const result: ScheduleResult = { scheduled: [], waiting: [], cancelled: [], conflicts: 0 };
  const groups = await db.resourceGroup.findMany({ where: { isActive: true, sessions: { some: { status: "PENDING" } } } });
  for (const rg of groups) {
    const pending = await db.session.findMany({
      where: { resourceGroupId: rg.id, status: "PENDING" },
      select: { id: true, ownerId: true, createdAt: true, requestedSlots: true, clusterSize: true, pendingReason: true, vfolderMounts: true },
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
          await recordAttempt(tx, { sessionId: s.id, phase: "schedule", fromStatus: "PENDING", toStatus: "CANCELLED", result: "EXPIRED", message: `${reason}${s.pendingReason ? `; last reason: ${s.pendingReason}` : ""}` }, now);
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
    // Sessions sent back after a host gave up starting them are placed elsewhere (BEP-1030).
    const avoided = await hostsThatGaveUp(db, live.map((s) => s.id));
    const groupPlacement = placementOptions(rg.options);
    const view = new PassHosts(hosts);
    const order = sequencePending(
      rg.scheduler,
      live.map((s): PendingSession => {
        const r = slotsOf(s.requestedSlots);
        return { id: s.id, userId: s.ownerId, createdAt: s.createdAt.getTime(), requested: { cpu: r.cpu * s.clusterSize, memBytes: r.memBytes * s.clusterSize, gpus: r.gpus * s.clusterSize } };
      }),
      { capacity, usageByUser },
    );
    // Reservations are committed a batch at a time. A reserved session's decision (and its place in
    // `scheduled`) is reported once its batch commits; a refused one's at once.
    const batch = pool ? new ReservationBatch(pool) : null;
    let inBatch: { id: string; t0: number }[] = [];
    const commitBatch = async () => {
      if (!batch?.open) return;
      const committed = await batch.commit();
      const now = performance.now();
      for (const [i, d] of inBatch.entries()) {
        if (committed[i] !== d.id) throw new Error(`reservation batch committed ${committed[i]} where ${d.id} was expected`);
        result.scheduled.push(d.id);
        onDecision?.({ sessionId: d.id, outcome: "scheduled", ms: now - d.t0 });
      }
      inBatch = [];
    };
    // Pending reasons are written a batch at a time (one statement, not one per waiting session) and
    // always before the pass returns; never while a reservation batch is open (a reason's UPDATE may
    // wait on another scheduler's batch, which may wait on this one's).
    const reasons = new Map<string, string>();
    const writeReasons = async () => {
      await commitBatch();
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
        const t0 = onDecision || batch ? performance.now() : 0;
        const decided = (outcome: ScheduleDecision["outcome"]) => onDecision?.({ sessionId: p.id, outcome, ms: performance.now() - t0 });
        const s = byId.get(p.id)!;
        const mounts = parseVfolderMounts(s.vfolderMounts);
        const storage = mounts.length ? mounts.map(({ name, hostPath, volume }) => ({ name, hostPath, ...(volume ? { volume } : {}) })) : undefined;
        const placed = view.place(place, { kernel: slotsOf(s.requestedSlots), clusterSize: s.clusterSize, storage, ...groupPlacement, ...(avoided.has(s.id) ? { avoidHosts: avoided.get(s.id) } : {}) }, { resourceGroup: rg.name, backend: rg.backend, strategy: rg.agentSelection });
        if (!placed.ok) {
          if (placed.reason !== s.pendingReason) {
            reasons.set(s.id, placed.reason);
            if (reasons.size >= REASON_BATCH) await writeReasons();
          }
          result.waiting.push({ id: s.id, reason: placed.reason });
          decided("waiting");
          continue;
        }
        if (batch) {
          const outcome = await batch.reserve(s.id, placed.placements);
          if (outcome === "taken") {
            decided("taken");
            continue;
          }
          if (outcome === "conflict") {
            // Another scheduler took one of these GPUs first: only this session's savepoint was rolled back; retry next pass.
            result.conflicts++;
            decided("conflict");
            continue;
          }
          inBatch.push({ id: s.id, t0 });
        } else {
          try {
            const ok = await db.$transaction((tx) => reserve(tx, s.id, placed.placements), { timeout: 15_000 });
            if (!ok) {
              decided("taken");
              continue;
            }
          } catch (e) {
            // Another scheduler took one of these GPUs first (allocations_one_live_per_gpu): retry next pass.
            if (isReservationConflict(e)) {
              result.conflicts++;
              decided("conflict");
              continue;
            } else throw e;
          }
          result.scheduled.push(s.id);
          decided("scheduled");
        }
        // Later sessions in this pass see what this one took. In a batch, the reservation stands in the
        // open transaction: it commits with the batch, or the pass fails.
        for (const pl of placed.placements) {
          const h = view.host(pl.hostId)!;
          h.occupied = { cpu: h.occupied.cpu + pl.reserve.cpu, memBytes: h.occupied.memBytes + pl.reserve.memBytes, gpus: h.occupied.gpus + pl.reserve.gpus };
          for (const g of pl.gpus) {
            const gpu = h.gpus.find((x) => x.address === g.address);
            if (gpu) gpu.allocated = true;
          }
          if (pl.nics.length) h.allocatedNics = [...(h.allocatedNics ?? []), ...pl.nics];
          view.changed(h);
        }
        if (batch && (batch.size >= batchSize || performance.now() - inBatch[0]!.t0 >= batchMs)) await commitBatch();
      }
      await commitBatch();
    } catch (e) {
      // What the batch reserved before the failure still commits, if its connection allows.
      await commitBatch().catch(() => batch?.abort());
      throw e;
    } finally {
      await writeReasons();
    }
  }
  return result;
}

