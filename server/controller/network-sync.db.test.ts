/**
 * Calico policy follows sessions through a real etcd: written before the VM starts, removed after the
 * session ends, a hand-deleted key shows as drift until an admin re-applies, and a controller start
 * reconciles what a crash left behind.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Etcd3 } from "etcd3";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { until } from "../../test/until";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { freePort } from "../lib/free-port";
import { startController, type ControllerHandle } from "./main";
import { AgentRuntime } from "../agent/runtime";
import { parseAgentConfig } from "../agent/config/agent-config";
import { buildFakeSysfs } from "../agent/drivers/pci/fake-sysfs";
import { SysfsPciBus } from "../agent/drivers/pci/sysfs-pci-bus";
import { getSimHost } from "../agent/sim/hosts";
import { SimulatedKataRuntime } from "../agent/kernels/simulated-kata-runtime";
import { startEtcdServer, type EtcdServer } from "../agent/drivers/network/etcd-server";

const TOKEN = "netsync-join-token-0123456789";
let t: TestDb;
let ctl: ControllerHandle;
let etcd: EtcdServer;
let client: Etcd3;
let dir: string;
let agent: AgentRuntime;

const keysOf = async (id: string) => (await client.getAll().prefix("/calico/resources/v3/projectcalico.org/").keys()).filter((k) => k.includes(id));

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  etcd = await startEtcdServer();
  client = new Etcd3({ hosts: etcd.endpoint });
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-netsync-"));
  ctl = await startController({ DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1", HYPERCELL_CALICO_ETCD_ENDPOINTS: etcd.endpoint }, () => {});
  const root = path.join(dir, "hgx");
  mkdirSync(root, { recursive: true });
  buildFakeSysfs(getSimHost("hgx-h100")!, root);
  const toml = `[agent]\nid = "hgx-h100"\nresource-group = "gpu-kata"\nlisten-address = "127.0.0.1:${await freePort()}"\ncontroller-address = "${ctl.address}"\njoin-token = "${TOKEN}"\nstate-dir = "${dir}/state"\nsysfs-root = "${root}"\nheartbeat-interval = 1\n`;
  agent = new AgentRuntime({ config: parseAgentConfig(toml), pciBus: new SysfsPciBus({ root }), sandboxRuntime: new SimulatedKataRuntime(20), host: { vcpus: 224, memoryBytes: 2048 * 2 ** 30, simulated: true }, log: () => {} });
  await agent.start();
  await until("GPUs", async () => (await t.db.gpu.count({ where: { agentId: "hgx-h100" } })) === 8);
});
afterAll(async () => {
  await agent?.stop();
  await ctl?.stop();
  client?.close();
  await etcd?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("network policy follows sessions", () => {
  it("is written before the VM starts, drifts when a key is deleted by hand, and is removed when the session ends", async () => {
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "fenced", image: "ngc/pytorch:24.08-py3", gpus: 1, vcpus: 4, memoryGiB: 16 });
    await until("RUNNING", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "RUNNING", 15_000).catch(async (e) => {
      console.log(await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: true } }));
      throw e;
    });
    const kernel = await t.db.kernel.findFirstOrThrow({ where: { sessionId: s.id } });
    // Its intra-session policy and its VM's endpoint are in Calico's datastore, with the shared ones.
    expect((await keysOf(s.id)).length).toBeGreaterThanOrEqual(1);
    expect((await keysOf(kernel.id.replace(/-/g, "--"))).length).toBe(1);
    expect((await keysOf("default-deny-inter-session")).length).toBe(1);

    // Someone deletes the session's policy by hand: drift, until an admin re-applies.
    process.env.HYPERCELL_CALICO_ETCD_ENDPOINTS = etcd.endpoint;
    const policyKey = (await keysOf(s.id)).find((k) => k.includes("globalnetworkpolicies"))!;
    await client.delete().key(policyKey);
    const drift = await admin.network.drift();
    expect(JSON.stringify(drift)).toContain("missing");
    expect(JSON.stringify(drift)).toMatch(/allow-intra-session/);
    await admin.network.repair();
    expect(await client.get(policyKey).string()).not.toBeNull();

    await owner.sessions.terminate({ id: s.id });
    await until("TERMINATED", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
    await until("objects removed", async () => (await keysOf(s.id)).length === 0 && (await keysOf(kernel.id.replace(/-/g, "--"))).length === 0);
    // Shared objects stay for the sessions still to come.
    expect((await keysOf("default-deny-inter-session")).length).toBe(1);
  });
});
