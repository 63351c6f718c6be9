/**
 * BEP-1030's coordinator on real PostgreSQL: failed CreateKernel calls are retried with their attempts
 * folded into one history row, a host that keeps failing is given up on and the session is placed on
 * another host, reschedules run out into ERROR, a host that stays away expires its kernels, and a
 * kernel whose host never comes back is declared TERMINATED. The agent side is a scripted gateway: the
 * real one is exercised end to end in session-lifecycle.db.test.ts; here only its answers matter.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDatabase, type TestDb } from "../../test/db";
import { scheduleOnce } from "./scheduler";
import { destroyTerminating, reconcileAgent, startScheduled } from "./lifecycle";
import type { AgentGateway } from "./agent-gateway";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "../domain/sessions/retry";

const GiB = 1024 ** 3;
const policy: RetryPolicy = { ...DEFAULT_RETRY_POLICY, backoffBaseMs: 0, backoffCapMs: 0 };
let t: TestDb;
let rgId: string;
let projectId: string;

/** A gateway whose hosts answer as each test scripts them. */
class ScriptedGateway {
  connected = new Set<string>();
  /** Per host: what CreateKernel does; an Error-like object is thrown. */
  create = new Map<string, () => unknown>();
  destroy = new Map<string, () => unknown>();
  calls: { op: string; agentId: string }[] = [];
  isConnected(id: string) {
    return this.connected.has(id);
  }
  async createKernel(agentId: string, req: { kernelId: string }) {
    this.calls.push({ op: "create", agentId });
    const r = this.create.get(agentId)?.();
    if (r instanceof Object && "code" in r) throw r;
    return { containerId: `hc-${req.kernelId}`, warnings: [], contextJson: "" };
  }
  async listKernels() {
    return [];
  }
  async destroyKernel(agentId: string) {
    this.calls.push({ op: "destroy", agentId });
    const r = this.destroy.get(agentId)?.();
    if (r instanceof Object && "code" in r) throw r;
    return true;
  }
}
const unavailable = () => ({ code: 14, details: "connect ECONNREFUSED 10.0.0.7:6001" });
const asGateway = (g: ScriptedGateway) => g as unknown as AgentGateway;
const log = () => {};

async function addHost(id: string, gpus = 4) {
  await t.db.agent.create({
    data: { id, backend: "kata", address: "127.0.0.1:1", resourceGroupId: rgId, availableSlots: { cpu: 64, mem: 512 * GiB, "cuda.device": gpus }, computePlugins: { kata: { vmOverheadMb: 0, maxGpusPerVm: 8 } }, lastHeartbeatAt: new Date() },
  });
  for (let i = 0; i < gpus; i++) {
    await t.db.gpu.create({ data: { agentId: id, pciAddress: `0000:${(0x10 + i).toString(16)}:00.0`, model: "H100", passthrough: "ready", numaNode: 0, pcieSwitch: "sw", iommuGroupNumber: 10 + i } });
  }
}

async function addSession(name: string) {
  return t.db.session.create({
    data: {
      name,
      projectId,
      ownerId: "u-retry",
      resourceGroupId: rgId,
      image: "img",
      requestedSlots: { cpu: 4, mem: 16 * GiB, "cuda.device": 2 },
      kernels: { create: { image: "img", requestedSlots: { cpu: 4, mem: 16 * GiB, "cuda.device": 2 } } },
    },
  });
}

const sessionOf = (id: string) => t.db.session.findUniqueOrThrow({ where: { id }, include: { kernels: { include: { allocations: true } }, schedulingHistory: { orderBy: { id: "asc" } } } });

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.user.create({ data: { id: "u-retry", email: "retry@x.test", name: "R" } });
  projectId = (await t.db.project.create({ data: { name: "retry" } })).id;
  rgId = (await t.db.resourceGroup.create({ data: { name: "gpu-kata", backend: "kata", scheduler: "fifo", agentSelection: "concentrated" } })).id;
  await addHost("host-a");
  await addHost("host-b");
});
afterAll(() => t.drop());

describe("BEP-1030 retries and give-up", () => {
  it("retries a start that did not get through, folding the attempts into one row, then succeeds", async () => {
    const g = new ScriptedGateway();
    g.connected = new Set(["host-a", "host-b"]);
    const s = await addSession("flaky");
    await scheduleOnce(t.db);
    const host = (await sessionOf(s.id)).kernels[0]!.agentId!;
    let fails = 2;
    g.create.set(host, () => (fails-- > 0 ? unavailable() : null));
    for (let i = 0; i < 3; i++) await startScheduled(t.db, asGateway(g), log, undefined, policy);
    const x = await sessionOf(s.id);
    expect(x.kernels[0]!.containerId).toBe(`hc-${x.kernels[0]!.id}`);
    expect(x.schedulingHistory.map((h) => [h.phase, h.result, h.attempts, h.errorCode])).toEqual([
      ["start", "NEED_RETRY", 2, "UNAVAILABLE"],
      ["start", "SUCCESS", 1, null],
    ]);
    expect(x.schedulingHistory[0]!.message).toBe(`main1 on ${host}: connect ECONNREFUSED 10.0.0.7:6001`);
    await t.db.session.update({ where: { id: s.id }, data: { status: "TERMINATED" } });
    await t.db.allocation.updateMany({ where: { kernelId: x.kernels[0]!.id }, data: { releasedAt: new Date() } });
  });

  it("gives up on a host after its attempts, places the session on another host, and ends in ERROR when reschedules run out", async () => {
    const g = new ScriptedGateway();
    g.connected = new Set(["host-a", "host-b"]);
    g.create.set("host-a", unavailable);
    g.create.set("host-b", () => ({ code: 9, details: "GPU 0000:10:00.0 is no longer bound to vfio-pci", metadata: { get: (k: string) => (k === "hypercell-error-code" ? ["PRECONDITION_FAILED"] : []) } }));
    const s = await addSession("doomed");
    await scheduleOnce(t.db);
    const first = (await sessionOf(s.id)).kernels[0]!.agentId!;
    expect(first).toBe("host-a"); // concentrated, lowest id first
    for (let i = 0; i < 3; i++) await startScheduled(t.db, asGateway(g), log, undefined, policy);
    let x = await sessionOf(s.id);
    expect(x.status).toBe("PENDING");
    expect(x.statusInfo).toMatch(/^rescheduled: main1 could not be started on host-a after 3 attempts: connect ECONNREFUSED/);
    expect(x.kernels[0]).toMatchObject({ status: "PENDING", agentId: null });
    expect(x.kernels[0]!.allocations.every((a) => a.releasedAt)).toBe(true);

    // Placed again, not on the host that gave up; that host refuses outright (host-specific): rescheduled at once.
    await scheduleOnce(t.db);
    x = await sessionOf(s.id);
    expect(x.kernels[0]!.agentId).toBe("host-b");
    await startScheduled(t.db, asGateway(g), log, undefined, policy);
    x = await sessionOf(s.id);
    expect(x.status).toBe("PENDING");
    // Both hosts gave up: it waits, and says so.
    await scheduleOnce(t.db);
    x = await sessionOf(s.id);
    expect(x.pendingReason).toBe("no ALIVE, schedulable kata host in gpu-kata besides host-a, host-b (which could not start it)");

    // A third host fails too: reschedules (2) are used up, so the session ends in ERROR with the story.
    await addHost("host-c");
    g.connected.add("host-c");
    g.create.set("host-c", unavailable);
    await scheduleOnce(t.db);
    for (let i = 0; i < 3; i++) await startScheduled(t.db, asGateway(g), log, undefined, policy);
    x = await sessionOf(s.id);
    expect(x.status).toBe("ERROR");
    expect(x.kernels[0]!.statusInfo).toMatch(/^failed-to-create: main1 could not be started on host-c after 3 attempts/);
    expect(x.schedulingHistory.map((h) => [h.agentId, h.result, h.toStatus, h.attempts])).toEqual([
      ["host-a", "NEED_RETRY", "SCHEDULED", 2],
      ["host-a", "GIVE_UP", "PENDING", 1],
      ["host-b", "GIVE_UP", "PENDING", 1],
      ["host-c", "NEED_RETRY", "SCHEDULED", 2],
      ["host-c", "GIVE_UP", "ERROR", 1],
    ]);
    expect(x.schedulingHistory.at(-1)!.message).toMatch(/gave up: it was already placed 3 times \(at most 2 reschedules\)/);
    expect(await t.db.allocation.count({ where: { kernelId: x.kernels[0]!.id, releasedAt: null } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { action: "sessions.reschedule", targetId: s.id } })).toBe(2);
  });

  it("expires a kernel whose host stays unreachable past the start timeout", async () => {
    await t.db.agent.update({ where: { id: "host-c" }, data: { status: "LOST" } });
    const g = new ScriptedGateway(); // nobody connected, but host-a and host-b are ALIVE in the database
    const s = await addSession("stranded");
    await scheduleOnce(t.db);
    const host = (await sessionOf(s.id)).kernels[0]!.agentId!;
    await startScheduled(t.db, asGateway(g), log, undefined, policy); // within the timeout: waits
    expect((await sessionOf(s.id)).status).toBe("SCHEDULED");
    const later = new Date(Date.now() + (policy.startTimeoutSec + 1) * 1000);
    await startScheduled(t.db, asGateway(g), log, undefined, policy, later);
    const x = await sessionOf(s.id);
    expect(x.status).toBe("PENDING");
    expect(x.schedulingHistory.at(-1)).toMatchObject({ agentId: host, result: "EXPIRED", toStatus: "PENDING", errorCode: "UNAVAILABLE" });
    expect(g.calls).toEqual([]);
  });

  it("after a controller restart, a host is given the start timeout to reconnect before its kernels expire", async () => {
    vi.resetModules();
    const fresh = (await import("./lifecycle")).startScheduled; // a new controller process: nothing watched yet
    const s = await addSession("old-but-patient");
    await scheduleOnce(t.db);
    const k = (await sessionOf(s.id)).kernels[0]!;
    // Scheduled long ago, while no controller ran.
    await t.db.kernel.update({ where: { id: k.id }, data: { statusChangedAt: new Date(Date.now() - 3_600_000) } });
    await fresh(t.db, asGateway(new ScriptedGateway()), log, undefined, policy);
    expect((await sessionOf(s.id)).status).toBe("SCHEDULED");
    await fresh(t.db, asGateway(new ScriptedGateway()), log, undefined, policy, new Date(Date.now() + (policy.startTimeoutSec + 1) * 1000));
    expect((await sessionOf(s.id)).status).toBe("PENDING");
  });

  it("retries a destroy that fails, and declares a kernel TERMINATED once its host has been away long enough", async () => {
    const g = new ScriptedGateway();
    g.connected = new Set(["host-a", "host-b"]);
    const s = await addSession("to-end");
    await scheduleOnce(t.db);
    await startScheduled(t.db, asGateway(g), log, undefined, policy);
    let x = await sessionOf(s.id);
    const k = x.kernels[0]!;
    await t.db.session.update({ where: { id: s.id }, data: { status: "TERMINATING" } });
    await t.db.kernel.update({ where: { id: k.id }, data: { status: "TERMINATING", statusChangedAt: new Date() } });
    g.destroy.set(k.agentId!, unavailable);
    await destroyTerminating(t.db, asGateway(g), log, policy);
    await destroyTerminating(t.db, asGateway(g), log, policy);
    x = await sessionOf(s.id);
    expect(x.schedulingHistory.at(-1)).toMatchObject({ phase: "terminate", result: "NEED_RETRY", attempts: 2 });
    g.connected.delete(k.agentId!);
    await destroyTerminating(t.db, asGateway(g), log, policy); // away, but not for long: waits
    expect((await sessionOf(s.id)).kernels[0]!.status).toBe("TERMINATING");
    await destroyTerminating(t.db, asGateway(g), log, policy, new Date(Date.now() + (policy.terminateGiveUpSec + 1) * 1000));
    x = await sessionOf(s.id);
    expect(x.status).toBe("TERMINATED");
    expect(x.kernels[0]!.statusInfo).toMatch(/^force-terminated: main1: host host-\w unreachable for \d+ s; declared terminated, its VM is removed when the host returns$/);
    expect(x.kernels[0]!.allocations.every((a) => a.releasedAt)).toBe(true);
    expect(x.schedulingHistory.at(-1)).toMatchObject({ phase: "terminate", result: "GIVE_UP", toStatus: "TERMINATED" });
  });

  it("a kernel that disappears from its host while terminating ends TERMINATED, not ERROR (reconcile racing the agent's own event)", async () => {
    const g = new ScriptedGateway();
    g.connected = new Set(["host-a", "host-b"]);
    const s = await addSession("racing");
    await scheduleOnce(t.db);
    await startScheduled(t.db, asGateway(g), log, undefined, policy);
    const k = (await sessionOf(s.id)).kernels[0]!;
    await t.db.kernel.update({ where: { id: k.id }, data: { status: "RUNNING" } });
    await t.db.session.update({ where: { id: s.id }, data: { status: "TERMINATING" } });
    await t.db.kernel.update({ where: { id: k.id }, data: { status: "TERMINATING" } });
    const r = await reconcileAgent(t.db, asGateway(g), k.agentId!, log);
    expect(r).toEqual({ missing: [], unknown: [] });
    const x = await sessionOf(s.id);
    expect(x.kernels[0]).toMatchObject({ status: "TERMINATED", statusInfo: "gone from its host while terminating" });
    expect(x.status).toBe("TERMINATED");
    expect(x.kernels[0]!.allocations.every((a) => a.releasedAt)).toBe(true);
  });
});
