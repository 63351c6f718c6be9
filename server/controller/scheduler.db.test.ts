import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../../test/db";
import { createDb, type Db } from "../db";
import { scheduleOnce } from "./scheduler";

const GiB = 1024 ** 3;
let t: TestDb;
let other: Db;
let rgId: string;
let projectId: string;

async function addHost(id: string, gpus: { addr: string; sw: string; numa: number; state?: "ready" | "needs_vfio" | "unsafe_group" }[]) {
  await t.db.agent.create({
    data: { id, backend: "kata", address: "127.0.0.1:1", resourceGroupId: rgId, availableSlots: { cpu: 224, mem: 2048 * GiB, "cuda.device": gpus.length }, computePlugins: { kata: { vmOverheadMb: 2048, maxGpusPerVm: 8 } }, lastHeartbeatAt: new Date() },
  });
  for (const [i, g] of gpus.entries()) {
    await t.db.gpu.create({ data: { agentId: id, pciAddress: g.addr, model: "H100", passthrough: g.state ?? "ready", numaNode: g.numa, pcieSwitch: g.sw, iommuGroupNumber: 100 + i, nvlinkDomain: null } });
  }
}

async function addSession(name: string, gpus: number, ageMs = 0) {
  return t.db.session.create({
    data: {
      name,
      projectId,
      ownerId: "u-sched",
      resourceGroupId: rgId,
      image: "img",
      requestedSlots: { cpu: 8, mem: 64 * GiB, "cuda.device": gpus },
      createdAt: new Date(Date.now() - ageMs),
      kernels: { create: { image: "img", requestedSlots: { cpu: 8, mem: 64 * GiB, "cuda.device": gpus } } },
    },
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  other = createDb(t.url);
  await t.db.user.create({ data: { id: "u-sched", email: "sched@x.test", name: "S" } });
  projectId = (await t.db.project.create({ data: { name: "sched" } })).id;
  rgId = (await t.db.resourceGroup.create({ data: { name: "gpu-kata", backend: "kata", scheduler: "fifo", agentSelection: "concentrated" } })).id;
  // 8 GPUs: two PCIe switches of four, two NUMA nodes.
  await addHost(
    "hgx",
    Array.from({ length: 8 }, (_, i) => ({ addr: `0000:${(0x18 + i * 0x10).toString(16)}:00.0`, sw: i < 4 ? "sw-a" : "sw-b", numa: i < 4 ? 0 : 1 })),
  );
});
afterAll(async () => {
  await other.$disconnect();
  await t.drop();
});

describe("scheduler", () => {
  it("two schedulers racing never double-book a GPU", async () => {
    const sessions = await Promise.all(Array.from({ length: 5 }, (_, i) => addSession(`race-${i}`, 4, 10_000 - i)));
    const [a, b] = await Promise.all([scheduleOnce(t.db), scheduleOnce(other)]);
    // Whatever the interleaving, at most two 4-GPU sessions fit on 8 GPUs; a third pass settles.
    await scheduleOnce(t.db);
    const live = await t.db.allocation.findMany({ where: { releasedAt: null }, select: { gpuId: true, kernel: { select: { sessionId: true } } } });
    expect(new Set(live.map((l) => l.gpuId)).size).toBe(live.length);
    expect(live).toHaveLength(8);
    const scheduled = await t.db.session.findMany({ where: { id: { in: sessions.map((s) => s.id) }, status: "SCHEDULED" } });
    expect(scheduled).toHaveLength(2);
    expect(new Set([...a.scheduled, ...b.scheduled]).size).toBe(a.scheduled.length + b.scheduled.length);
    // Each scheduled kernel got one PCIe switch's four GPUs.
    for (const s of scheduled) {
      const k = await t.db.kernel.findFirstOrThrow({ where: { sessionId: s.id }, include: { allocations: { include: { gpu: true } } } });
      expect(k.status).toBe("SCHEDULED");
      expect(k.agentId).toBe("hgx");
      expect(new Set(k.allocations.map((x) => x.gpu.pcieSwitch)).size).toBe(1);
      expect(k.attachedDevices).toMatchObject({ locality: "pcie-switch" });
    }
    // The rest wait, and say why.
    const waiting = await t.db.session.findMany({ where: { id: { in: sessions.map((s) => s.id) }, status: "PENDING" } });
    expect(waiting).toHaveLength(3);
    for (const w of waiting) expect(w.pendingReason).toMatch(/GPU/);
    const history = await t.db.sessionStatusHistory.findMany({ where: { sessionId: scheduled[0]!.id }, orderBy: { id: "asc" } });
    expect(history.map((h) => h.toStatus)).toEqual(["SCHEDULED"]);
  });

  it("explains an impossible request and times out past the group's pending timeout", async () => {
    const big = await addSession("too-big", 9);
    await scheduleOnce(t.db);
    const s = await t.db.session.findUniqueOrThrow({ where: { id: big.id } });
    expect(s.status).toBe("PENDING");
    expect(s.pendingReason).toMatch(/9 GPUs/);
    await t.db.resourceGroup.update({ where: { id: rgId }, data: { pendingTimeoutSec: 60 } });
    const old = await addSession("old", 1, 120_000);
    const r = await scheduleOnce(t.db);
    expect(r.cancelled).toContain(old.id);
    const c = await t.db.session.findUniqueOrThrow({ where: { id: old.id }, include: { kernels: true } });
    expect(c.status).toBe("CANCELLED");
    expect(c.statusInfo).toMatch(/pending-timeout/);
    expect(c.kernels.every((k) => k.status === "CANCELLED")).toBe(true);
  });
});

describe("termination of a scheduled session", () => {
  it("releases the GPUs of kernels that never got a VM and ends the session", async () => {
    const { finishTerminations } = await import("./terminator");
    const s = await t.db.session.findFirstOrThrow({ where: { status: "SCHEDULED" }, include: { kernels: { include: { allocations: true } } } });
    expect(s.kernels[0]!.allocations.length).toBeGreaterThan(0);
    await t.db.session.update({ where: { id: s.id }, data: { status: "TERMINATING", statusInfo: "user-requested" } });
    await t.db.kernel.updateMany({ where: { sessionId: s.id }, data: { status: "TERMINATING" } });
    expect(await finishTerminations(t.db)).toContain(s.id);
    const after = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: { include: { allocations: true } } } });
    expect(after.status).toBe("TERMINATED");
    expect(after.kernels.every((k) => k.status === "TERMINATED" && k.allocations.every((a) => a.releasedAt))).toBe(true);
    // The freed GPUs go to a waiting session on the next pass.
    const r = await scheduleOnce(t.db);
    expect(r.scheduled.length).toBeGreaterThan(0);
  });
});
