/**
 * A session end to end over the real protocol: owner launches → scheduler places it on the simulated
 * HGX host → the agent builds the KataKernelCreationContext and starts the VM through its runtime →
 * RUNNING → terminate → nothing left in the runtime and the GPUs are free. Plus: an agent restart
 * rebuilds its kernels from the runtime's labels with zero extra creates or deletes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { until } from "../../test/until";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { freePort } from "../lib/free-port";
import { startController, type ControllerHandle } from "./main";
import { AgentRuntime } from "../agent/runtime";
import { parseAgentConfig } from "../agent/config/agent-config";
import { SysfsPciBus } from "../agent/drivers/pci/sysfs-pci-bus";
import { SimulatedKataRuntime } from "../agent/kernels/simulated-kata-runtime";
import { verifyAuditChain } from "../audit/query";
import { simHgx } from "../../test/sim-hgx";

const TOKEN = "lifecycle-join-token-0123456789";
let t: TestDb;
let ctl: ControllerHandle;
let dir: string;
let toml: string;
let root: string;
const runtime = new SimulatedKataRuntime(20);


const agentLog: string[] = [];
/** Agents a test started; stopped after each test even when it fails, so the next can bind the port. */
const started: AgentRuntime[] = [];
const newAgent = () => {
  const a = new AgentRuntime({ config: parseAgentConfig(toml), pciBus: new SysfsPciBus({ root }), sandboxRuntime: runtime, host: { vcpus: 224, memoryBytes: 2048 * 2 ** 30, confidentialCapability: "tdx", simulated: true }, log: (m) => agentLog.push(m) });
  started.push(a);
  return a;
};
afterEach(async () => {
  for (const a of started.splice(0)) await a.stop().catch(() => {});
});

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-life-"));
  ctl = await startController({ DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1", HYPERCELL_RECONCILE_INTERVAL_SEC: "2" }, (m) => agentLog.push(`[ctl] ${m}`));
  ({ root, toml } = await simHgx(dir, { address: ctl.address, token: TOKEN }));
});
afterAll(async () => {
  if (process.env.DEBUG_LIFECYCLE) console.log(agentLog.join("\n"));
  await ctl?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("session lifecycle", () => {
  it("launch → RUNNING on the HGX host with 4 NVSwitch GPUs → agent restart changes nothing → terminate leaves nothing", async () => {
    let agent = newAgent();
    await agent.start();
    await until("GPUs ingested", async () => (await t.db.gpu.count({ where: { agentId: "hgx-h100", passthrough: "ready" } })) === 7);

    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "train", image: "ngc/pytorch:24.08-py3", gpus: 4, vcpus: 16, memoryGiB: 128 });
    expect(s.status).toBe("PENDING");

    const running = await until("RUNNING", async () => {
      const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: { include: { allocations: { include: { gpu: true } } } }, statusHistory: { orderBy: { id: "asc" } } } });
      return x.status === "RUNNING" ? x : x.status === "ERROR" ? Promise.reject(new Error(`session failed: ${x.statusInfo}`)) : null;
    });
    const k = running.kernels[0]!;
    expect(k.status).toBe("RUNNING");
    expect(k.agentId).toBe("hgx-h100");
    expect(k.allocations.filter((a) => !a.releasedAt)).toHaveLength(4);
    expect(new Set(k.allocations.map((a) => a.gpu.nvlinkDomain)).size).toBe(1);
    expect(running.statusHistory.map((h) => h.toStatus)).toEqual(expect.arrayContaining(["PENDING", "SCHEDULED", "PREPARING", "RUNNING"]));
    const containers = await runtime.listContainers();
    expect(containers).toHaveLength(1);
    // The VM's boot phases are on the kernel's timeline: the guest start and one BAR mapping per GPU.
    const phases = await t.db.kernelStatusHistory.findMany({ where: { kernelId: k.id, fromStatus: "CREATING", toStatus: "CREATING" } });
    expect(phases.filter((p) => /mapped 128 GiB BAR/.test(p.reason))).toHaveLength(4);
    expect(phases.some((p) => /cloud-hypervisor started the guest kernel/.test(p.reason))).toBe(true);
    // The rendered spec passes the GPUs' IOMMU groups through and boots a confidential guest.
    const spec = (runtime as unknown as { containers: Map<string, { spec: { linux?: { devices?: { path: string }[] }; annotations?: Record<string, string> } }> }).containers.get(containers[0]!.id)!.spec;
    expect(spec.linux!.devices!.map((d) => d.path)).toEqual(expect.arrayContaining(["/dev/vfio/vfio"]));
    expect(spec.linux!.devices!.filter((d) => /^\/dev\/vfio\/\d+$/.test(d.path))).toHaveLength(4);
    expect(Object.keys(spec.annotations!)).toEqual(expect.arrayContaining(["io.katacontainers.config.hypervisor.default_vcpus", "io.katacontainers.config.hypervisor.default_memory"]));

    // Agent restart: rebuilt from labels, zero creates or deletes, allocations unchanged.
    const createsBefore = runtime.calls.filter((c) => c.method === "createContainer" || c.method === "deleteContainer").length;
    await agent.stop();
    agent = newAgent();
    await agent.start();
    expect(agent.kernels!.list()).toMatchObject([{ kernelId: k.id, status: "RUNNING" }]);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(runtime.calls.filter((c) => c.method === "createContainer" || c.method === "deleteContainer")).toHaveLength(createsBefore);
    expect(await t.db.allocation.count({ where: { kernelId: k.id, releasedAt: null } })).toBe(4);
    expect((await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status).toBe("RUNNING");

    await owner.sessions.terminate({ id: s.id });
    await until("TERMINATED", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
    expect(await runtime.listContainers()).toHaveLength(0);
    expect(await t.db.allocation.count({ where: { kernelId: k.id, releasedAt: null } })).toBe(0);
    expect((await t.db.kernel.findUniqueOrThrow({ where: { id: k.id } })).status).toBe("TERMINATED");
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
    await agent.stop();
  });

  it("after an agent restart, a kernel gone from its host goes to ERROR and an unknown one is reported, not killed", async () => {
    let agent = newAgent();
    await agent.start();
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "lost-one", image: "ngc/pytorch:24.08-py3", gpus: 1, vcpus: 4, memoryGiB: 16 });
    await until("RUNNING", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "RUNNING");
    const k = await t.db.kernel.findFirstOrThrow({ where: { sessionId: s.id } });
    await agent.stop();
    // While the agent is down its VM disappears, and someone starts a container Hypercell never asked for.
    await runtime.kill(k.containerId!, "SIGKILL");
    await runtime.wait(k.containerId!);
    await runtime.deleteTask(k.containerId!);
    await runtime.deleteContainer(k.containerId!);
    const stray = "00000000-0000-4000-8000-000000000001";
    await runtime.prepareRootfs("ngc/pytorch:24.08-py3", stray);
    await runtime.createContainer({ id: `hc-${stray}`, image: "ngc/pytorch:24.08-py3", runtime: "io.containerd.kata.v2", spec: { ociVersion: "1.1.0", process: { args: ["/bin/sh", "-c", "sleep infinity"] } }, labels: { "ai.hypercell.session-id": stray, "ai.hypercell.kernel-id": stray, "ai.hypercell.cluster-role": "main", "ai.hypercell.cluster-idx": "0" }, snapshotKey: stray });
    await t.db.agent.update({ where: { id: "hgx-h100" }, data: { status: "LOST" } }); // as the sweeper would
    agent = newAgent();
    await agent.start();
    const failed = await until("kernel ERROR", async () => {
      const x = await t.db.kernel.findUniqueOrThrow({ where: { id: k.id } });
      return x.status === "ERROR" ? x : null;
    });
    expect(failed.statusInfo).toMatch(/missing on its host/);
    expect(await t.db.allocation.count({ where: { kernelId: k.id, releasedAt: null } })).toBe(0);
    await until("session ended", async () => ["ERROR", "TERMINATED"].includes((await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status));
    const report = await until("unknown kernel reported", () => t.db.auditEvent.findFirst({ where: { action: "agents.unknownKernels", targetId: "hgx-h100" } }));
    expect(report.message).toMatch(/does not know/);
    expect((await runtime.listContainers()).map((c) => c.id)).toContain(`hc-${stray}`);
    await agent.stop();
  });

  it("killing the agent between every step of a launch converges: nothing half-made is left, a VM that came up is kept", async () => {
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const outcomes: Record<string, string> = {};
    for (const step of ["PREPARING", "PULLING", "CREATING", "RUNNING"]) {
      let victim: AgentRuntime | null = null;
      let killed = false;
      const agentToml = toml.replace(/listen-address = "[^"]+"/, `listen-address = "127.0.0.1:${await freePort()}"`);
      victim = new AgentRuntime({
        config: parseAgentConfig(agentToml),
        pciBus: new SysfsPciBus({ root }),
        sandboxRuntime: runtime,
        host: { vcpus: 224, memoryBytes: 2048 * 2 ** 30, confidentialCapability: "tdx", simulated: true },
        log: (m) => {
          if (!killed && m.includes(`: ${step} —`)) {
            killed = true;
            victim!.kill(); // dies before the event leaves the process
          }
        },
      });
      await victim.start();
      const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: `kill-at-${step.toLowerCase()}`, image: "ngc/pytorch:24.08-py3", gpus: 1, vcpus: 4, memoryGiB: 16 });
      await until(`the agent killed at ${step}`, async () => killed, 15_000);
      const creates = () => runtime.calls.filter((c) => c.method === "createContainer" && JSON.stringify(c.args).includes(s.id)).length;
      const createsAtKill = creates();
      const next = new AgentRuntime({ config: parseAgentConfig(toml.replace(/listen-address = "[^"]+"/, `listen-address = "127.0.0.1:${await freePort()}"`)), pciBus: new SysfsPciBus({ root }), sandboxRuntime: runtime, host: { vcpus: 224, memoryBytes: 2048 * 2 ** 30, confidentialCapability: "tdx", simulated: true }, log: () => {} });
      await next.start();
      const end = await until(`session killed at ${step} to settle`, async () => {
        if (process.env.DEBUG_KILL) console.log(step, (await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: true } })).kernels.map((x) => `${x.status} ${x.statusInfo}`));
        const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: { include: { allocations: true } } } });
        return ["RUNNING", "ERROR", "TERMINATED"].includes(x.status) ? x : null;
      }, 20_000);
      const k = end.kernels[0]!;
      const onHost = (await runtime.listContainers()).filter((c) => c.id === k.containerId);
      outcomes[step] = end.status;
      // Recovery never creates a second VM. A kill before the VM was created (the CreateKernel call never
      // got its answer) is a start that did not get through: BEP-1030 retries it, creating the one VM.
      expect(creates(), `no extra create after the kill at ${step}`).toBe(end.status === "RUNNING" && createsAtKill === 0 ? 1 : createsAtKill);
      if (end.status === "RUNNING") {
        expect(onHost).toHaveLength(1);
        expect(k.allocations.filter((a) => !a.releasedAt)).toHaveLength(1);
        await owner.sessions.terminate({ id: s.id });
        await until("terminated", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
      } else {
        expect(`${step}: ${k.statusInfo}`).toMatch(/missing on its host|did not survive|failed-to-create|cleanup after agent restart/);
        expect(k.allocations.filter((a) => !a.releasedAt)).toHaveLength(0);
        await until(`scratch directory removed after the kill at ${step}`, async () => !existsSync(path.join(dir, "state", "scratch", k.id)), 5_000);
      }
      expect((await runtime.listContainers()).filter((c) => c.id === k.containerId)).toHaveLength(0);
      await next.stop();
    }
    // Killed while its VM was being made → ended (ERROR, or TERMINATED when the cleanup's own event won
    // the race), everything released; killed before CreateKernel answered → the start is retried;
    // killed once it ran → recovered and kept.
    expect(["RUNNING", "ERROR", "TERMINATED"]).toContain(outcomes.PREPARING);
    for (const step of ["PULLING", "CREATING"]) expect(["ERROR", "TERMINATED"]).toContain(outcomes[step]);
    expect(outcomes.RUNNING).toBe("RUNNING");
  }, 120_000);
});
