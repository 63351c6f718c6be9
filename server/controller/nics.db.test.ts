/**
 * RDMA NICs with their GPUs (BEP-1051 A.11) over the real protocol: a resource group with
 * {"attachNics": true} gets each GPU's nearest vfio-bound NIC passed through too — reserved with the
 * kernel, carried by CreateKernel, in the VM's OCI spec as its IOMMU group — and a bad option value is
 * refused with a message naming it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { until } from "../../test/until";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { startController, type ControllerHandle } from "./main";
import type { AgentRuntime } from "../agent/runtime";
import { SimulatedKataRuntime } from "../agent/kernels/simulated-kata-runtime";
import { simHgx } from "../../test/sim-hgx";

const TOKEN = "nics-join-token-0123456789abcdef";
let t: TestDb;
let ctl: ControllerHandle;
let agent: AgentRuntime;
let dir: string;
const runtime = new SimulatedKataRuntime(20);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-nics-"));
  ctl = await startController({ DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1" }, () => {});
  // The HGX host with its ConnectX NICs already given to vfio-pci, as an admin does for RDMA passthrough.
  const hgx = await simHgx(dir, { address: ctl.address, token: TOKEN }, (spec) => ({
    ...spec,
    devices: spec.devices.map((d) => (d.vendor === "15b3" && d.class === "020000" ? { ...d, driver: "vfio-pci" } : d)),
  }));
  agent = hgx.agent({ sandboxRuntime: runtime });
  await agent.start();
  await until("GPUs ingested", async () => (await t.db.gpu.count({ where: { agentId: "hgx-h100", passthrough: "ready" } })) === 7);
});
afterAll(async () => {
  await agent?.stop();
  await ctl?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("RDMA NICs with their GPUs", () => {
  it("a group with attachNics passes each GPU's nearest vfio-bound NIC through with it", async () => {
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    // A value placement does not know is refused, not ignored (the cast stands in for a raw API call).
    await expect(admin.resourceGroups.update({ id: rg.id, options: { requireLocality: "rack" as "numa" } })).rejects.toThrow(/requireLocality must be/);
    await admin.resourceGroups.update({ id: rg.id, options: { attachNics: true } });

    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "rdma", image: "ngc/pytorch:24.08-py3", gpus: 2, vcpus: 16, memoryGiB: 64 });
    const running = await until("RUNNING", async () => {
      const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: true } });
      return x.status === "RUNNING" ? x : x.status === "ERROR" ? Promise.reject(new Error(`session failed: ${x.statusInfo}`)) : null;
    });
    const k = running.kernels[0]!;
    const devices = k.attachedDevices as { "cuda.device": { pciAddress: string }[]; nics: string[] };
    expect(devices.nics).toHaveLength(2);
    // Each NIC is one the inventory lists near one of the chosen GPUs, and no NIC is used twice.
    const gpus = await t.db.gpu.findMany({ where: { agentId: "hgx-h100", pciAddress: { in: devices["cuda.device"].map((g) => g.pciAddress) } } });
    const near = new Set(gpus.flatMap((g) => (g.nics as { address: string }[]).map((n) => n.address)));
    for (const nic of devices.nics) expect(near.has(nic)).toBe(true);
    expect(new Set(devices.nics).size).toBe(2);

    // The VM gets them as VFIO devices, and the containerd labels record them for recovery.
    const nicGroups = await t.db.pciDevice.findMany({ where: { agentId: "hgx-h100", address: { in: devices.nics } }, include: { iommuGroup: true } });
    const container = (runtime as unknown as { containers: Map<string, { spec: { linux?: { devices?: { path: string }[] } }; labels: Record<string, string> }> }).containers.get(k.containerId!)!;
    const paths = container.spec.linux!.devices!.map((d) => d.path);
    for (const n of nicGroups) expect(paths).toContain(`/dev/vfio/${n.iommuGroup!.number}`);
    expect(Object.entries(container.labels).some(([key, v]) => key.includes("nic") && devices.nics.every((a) => v.includes(a)))).toBe(true);

    await owner.sessions.terminate({ id: s.id });
    await until("TERMINATED", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
  });
});
