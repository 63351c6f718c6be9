/**
 * Batched reservations (scheduleOnce's default): the same results as one transaction per session,
 * one audit event per reservation on a chain that verifies, a session refused inside a batch rolled
 * back alone (database and in-memory host state), and two batching schedulers racing never double-book.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../../test/db";
import { createDb, type Db } from "../db";
import { appendAuditEvent } from "../audit/record";
import { verifyAuditChain } from "../audit/query";
import { selectHosts, type PlacementHost } from "../domain/placement/select-hosts";
import { reservationPool } from "./reservation";
import { scheduleOnce, type ScheduleOptions, type ScheduleResult } from "./scheduler";

const GiB = 1024 ** 3;
const HOSTS = ["host-a", "host-b", "host-c", "host-d"];
/** GPUs per session, in queue order: every size, an impossible one (9), 0-GPU ones. */
const SIZES = Array.from({ length: 50 }, (_, i) => [1, 2, 4, 0, 8, 1, 2, 9, 4, 1, 2, 1][i % 12]!);
const base = Date.now() - 3_600_000;
const sessionIds = SIZES.map(() => randomUUID());
const dbs: TestDb[] = [];

/** Identical content (same ids) in every database: hosts of 8 GPUs under two PCIe switches, the queue, one earlier audit event. */
async function populate(t: TestDb) {
  const db = t.db;
  await db.user.create({ data: { id: "u-batch", email: "batch@x.test", name: "B" } });
  const projectId = (await db.project.create({ data: { id: "00000000-0000-4000-8000-0000000000aa", name: "batch" } })).id;
  const rgId = (await db.resourceGroup.create({ data: { id: "00000000-0000-4000-8000-0000000000bb", name: "gpu-kata", backend: "kata", scheduler: "fifo", agentSelection: "concentrated" } })).id;
  for (const id of HOSTS) {
    await db.agent.create({
      data: { id, backend: "kata", address: "127.0.0.1:1", resourceGroupId: rgId, availableSlots: { cpu: 224, mem: 2048 * GiB, "cuda.device": 8 }, computePlugins: { kata: { vmOverheadMb: 2048, maxGpusPerVm: 8 } }, lastHeartbeatAt: new Date() },
    });
    await db.gpu.createMany({
      data: Array.from({ length: 8 }, (_, i) => ({ agentId: id, pciAddress: `0000:${(0x18 + i * 0x10).toString(16)}:00.0`, model: "H100", passthrough: "ready" as const, numaNode: i < 4 ? 0 : 1, pcieSwitch: i < 4 ? "sw-a" : "sw-b", iommuGroupNumber: 100 + i })),
    });
  }
  for (const [i, gpus] of SIZES.entries()) {
    const slots = { cpu: 8, mem: 64 * GiB, "cuda.device": gpus };
    await db.session.create({
      data: { id: sessionIds[i]!, name: `q-${i}`, projectId, ownerId: "u-batch", resourceGroupId: rgId, image: "img", requestedSlots: slots, createdAt: new Date(base + i * 1000), kernels: { create: { image: "img", requestedSlots: slots } } },
    });
  }
  await db.$transaction((tx) => appendAuditEvent(tx, { actor: null, requestId: "seed", clientAddress: null }, { action: "test.seed", targetType: "test", result: "success" }));
}

/** What a pass left in the database, comparable across databases. */
async function snapshot(db: Db) {
  const sessions = await db.session.findMany({
    where: { id: { in: sessionIds } },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      status: true,
      pendingReason: true,
      statusHistory: { select: { fromStatus: true, toStatus: true, reason: true } },
      kernels: {
        select: {
          status: true,
          agentId: true,
          attachedDevices: true,
          statusHistory: { select: { fromStatus: true, toStatus: true, reason: true } },
          allocations: { where: { releasedAt: null }, orderBy: { gpu: { pciAddress: "asc" } }, select: { agentId: true, gpu: { select: { pciAddress: true } } } },
        },
      },
    },
  });
  const audit = await db.auditEvent.findMany({ where: { action: "sessions.schedule" }, orderBy: { id: "asc" }, select: { targetId: true, before: true, after: true, result: true, requestId: true } });
  return { sessions, audit };
}

function comparable(r: ScheduleResult) {
  return { scheduled: r.scheduled, waiting: r.waiting, cancelled: r.cancelled, conflicts: r.conflicts };
}

/** Every reservation has exactly one audit event, and nothing else does; the chain verifies. */
async function expectAuditConsistent(db: Db) {
  const scheduled = await db.session.findMany({ where: { id: { in: sessionIds }, status: "SCHEDULED" }, select: { id: true } });
  const events = await db.auditEvent.findMany({ where: { action: "sessions.schedule" }, select: { targetId: true } });
  expect(events.map((e) => e.targetId).sort()).toEqual(scheduled.map((s) => s.id).sort());
  const chain = await verifyAuditChain(db);
  expect(chain).toMatchObject({ ok: true });
  expect(chain.checked).toBe(await db.auditEvent.count());
  expect(chain.checked).toBeGreaterThan(events.length); // the seeded event before them is on the same chain
}

beforeAll(async () => {
  for (let i = 0; i < 5; i++) {
    const t = await createTestDatabase();
    await populate(t);
    dbs.push(t);
  }
});
afterAll(async () => {
  for (const t of dbs) await t.drop();
});

describe("batched reservations", () => {
  it("place exactly as one transaction per session does, with one audit event each on a chain that verifies", async () => {
    const [unbatched, batched, small] = dbs as [TestDb, TestDb, TestDb];
    expect(reservationPool(batched.db)).not.toBeNull(); // the batched runs really take the pg path
    const runs: [TestDb, ScheduleOptions][] = [
      [unbatched, { batch: false }],
      [batched, {}],
      [small, { batchSize: 3 }], // many batches, some ending between a reservation and a waiting session
    ];
    const results: ScheduleResult[] = [];
    const snaps: Awaited<ReturnType<typeof snapshot>>[] = [];
    for (const [t, options] of runs) {
      const decisions: string[] = [];
      const first = await scheduleOnce(t.db, new Date(), { ...options, onDecision: (d) => decisions.push(`${d.sessionId}:${d.outcome}`) });
      // Each session decided once; the scheduled ones reported as such.
      expect(decisions).toHaveLength(SIZES.length);
      expect(decisions.filter((d) => d.endsWith(":scheduled")).sort()).toEqual(first.scheduled.map((id) => `${id}:scheduled`).sort());
      const second = await scheduleOnce(t.db, new Date(), options);
      expect(second.scheduled).toEqual([]);
      results.push(first, second);
      snaps.push(await snapshot(t.db));
      await expectAuditConsistent(t.db);
    }
    const [ref, refAgain] = [results[0]!, results[1]!];
    expect(ref.scheduled.length).toBeGreaterThan(5);
    expect(ref.waiting.length).toBeGreaterThan(5);
    expect(ref.conflicts).toBe(0);
    for (let i = 1; i < runs.length; i++) {
      expect(comparable(results[2 * i]!)).toEqual(comparable(ref));
      expect(comparable(results[2 * i + 1]!)).toEqual(comparable(refAgain));
      expect(snaps[i]).toEqual(snaps[0]);
    }
    // The audit events are in decision order, as the unbatched run writes them.
    expect(snaps[1]!.audit.map((e) => e.targetId)).toEqual(ref.scheduled);
  });

  it("a session refused inside a batch is rolled back alone, in the database and in the hosts later sessions see", async () => {
    const t = dbs[3]!;
    // A placement rule that, for the third session it places, claims one GPU the first session already
    // holds (reserved in the same open batch) plus one free GPU: the database refuses that reservation.
    let calls = 0;
    let firstGpu: { host: string; address: string } | null = null;
    let stolen: { host: string; free: string } | null = null;
    let seenAfter: PlacementHost | null = null;
    const place: typeof selectHosts = (hosts, request, options) => {
      calls++;
      if (stolen && !seenAfter) seenAfter = structuredClone(hosts.find((h) => h.id === stolen!.host)!);
      const r = selectHosts(hosts, request, options);
      if (!r.ok) return r;
      if (!firstGpu && r.placements[0]!.gpus.length) firstGpu = { host: r.placements[0]!.hostId, address: r.placements[0]!.gpus[0]!.address };
      else if (firstGpu && !stolen && calls >= 3) {
        const h = hosts.find((x) => x.id === firstGpu!.host)!;
        const free = h.gpus.find((g) => !g.allocated)!;
        stolen = { host: h.id, free: free.address };
        const gpus = [
          { address: firstGpu.address, iommuGroup: 0 },
          { address: free.address, iommuGroup: free.iommuGroup! },
        ];
        return { ok: true, placements: [{ ...r.placements[0]!, hostId: h.id, gpus, reserve: { ...r.placements[0]!.reserve, gpus: 2 } }] };
      }
      return r;
    };
    const r = await scheduleOnce(t.db, new Date(), { place, batchSize: 50, batchMs: 60_000 });
    expect(r.conflicts).toBe(1);
    expect(stolen).not.toBeNull();
    // In memory: the refused session's free GPU and slots were not taken from its host.
    expect(seenAfter!.gpus.find((g) => g.address === stolen!.free)!.allocated).toBe(false);
    // In the database: the refused session is untouched, everything else in the batch committed.
    const refusedId = sessionIds[2]!;
    expect(r.scheduled).not.toContain(refusedId);
    const refused = await t.db.session.findUniqueOrThrow({ where: { id: refusedId }, include: { statusHistory: true, kernels: { include: { allocations: true, statusHistory: true } } } });
    expect(refused.status).toBe("PENDING");
    expect(refused.statusHistory).toEqual([]);
    expect(refused.kernels[0]!.status).toBe("PENDING");
    expect(refused.kernels[0]!.allocations).toEqual([]);
    expect(refused.kernels[0]!.statusHistory).toEqual([]);
    expect(await t.db.auditEvent.count({ where: { targetId: refusedId } })).toBe(0);
    // …so a later session of the same pass could take it.
    const freeGpuNow = await t.db.allocation.findMany({ where: { releasedAt: null, gpu: { agentId: stolen!.host, pciAddress: stolen!.free } }, select: { kernel: { select: { sessionId: true } } } });
    for (const a of freeGpuNow) expect(r.scheduled).toContain(a.kernel.sessionId);
    expect(r.scheduled.length).toBeGreaterThan(2);
    await expectAuditConsistent(t.db);
    // The next pass treats it as any waiting session.
    const again = await scheduleOnce(t.db);
    expect(again.conflicts).toBe(0);
    expect([...again.scheduled, ...again.waiting.map((w) => w.id)]).toContain(refusedId);
    await expectAuditConsistent(t.db);
  });

  it("two batching schedulers racing over the whole queue never double-book, and every reservation has its one audit event", async () => {
    const t = dbs[4]!;
    const other = createDb(t.url);
    try {
      const [a, b] = await Promise.all([scheduleOnce(t.db, new Date(), { batchSize: 4 }), scheduleOnce(other, new Date(), { batchSize: 4 })]);
      await scheduleOnce(t.db);
      expect(new Set([...a.scheduled, ...b.scheduled]).size).toBe(a.scheduled.length + b.scheduled.length);
      const live = await t.db.allocation.findMany({ where: { releasedAt: null }, select: { gpuId: true } });
      expect(new Set(live.map((l) => l.gpuId)).size).toBe(live.length);
      const scheduled = await t.db.session.findMany({ where: { id: { in: sessionIds }, status: "SCHEDULED" }, include: { kernels: { include: { allocations: { where: { releasedAt: null } } } } } });
      for (const s of scheduled) expect(s.kernels[0]!.allocations).toHaveLength((s.requestedSlots as { "cuda.device": number })["cuda.device"]);
      expect(live).toHaveLength(scheduled.reduce((n, s) => n + s.kernels[0]!.allocations.length, 0));
      // Everything a racer reported scheduled is, and the queue was served as far as GPUs allow.
      expect(scheduled.map((s) => s.id)).toEqual(expect.arrayContaining([...a.scheduled, ...b.scheduled]));
      expect(live.length).toBeGreaterThanOrEqual(HOSTS.length * 8 - 8);
      await expectAuditConsistent(t.db);
    } finally {
      await other.$disconnect();
    }
  });
});
