/**
 * Controller and agent as real gRPC peers on loopback, with the database behind the controller:
 * a simulated host joins with its token, its inventory lands in the database, a wrong token is
 * refused, and a host that stops heartbeating is marked LOST (and audited).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDb } from "../../test/db";
import { until } from "../../test/until";
import { freePort } from "../lib/free-port";
import { startController, type ControllerHandle } from "./main";
import { AgentRuntime } from "../agent/runtime";
import { parseAgentConfig } from "../agent/config/agent-config";
import { buildFakeSysfs } from "../agent/drivers/pci/fake-sysfs";
import { SysfsPciBus } from "../agent/drivers/pci/sysfs-pci-bus";
import { getSimHost } from "../agent/sim/hosts";
import { verifyAuditChain } from "../audit/query";

const TOKEN = "test-join-token-0123456789";
let t: TestDb;
let ctl: ControllerHandle;
let dir: string;


async function agentFor(host: string, token = TOKEN) {
  const spec = getSimHost(host)!;
  const root = path.join(dir, host);
  mkdirSync(root, { recursive: true });
  buildFakeSysfs(spec, root);
  const toml = `[agent]\nid = "${host}"\nbackend = "kata"\nresource-group = "gpu-kata"\nlisten-address = "127.0.0.1:${await freePort()}"\ncontroller-address = "${ctl.address}"\njoin-token = "${token}"\nstate-dir = "${root}-state"\nsysfs-root = "${root}"\nheartbeat-interval = 1\n`;
  return new AgentRuntime({ config: parseAgentConfig(toml), pciBus: new SysfsPciBus({ root }), host: { vcpus: 64, memoryBytes: 256 * 2 ** 30, simulated: true }, log: () => {} });
}

beforeAll(async () => {
  t = await createTestDatabase();
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-ctl-"));
  await t.db.resourceGroup.create({ data: { name: "gpu-kata" } });
  ctl = await startController(
    { DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1", HYPERCELL_HEARTBEAT_TIMEOUT_SEC: "3" },
    () => {},
  );
});
afterAll(async () => {
  await ctl?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("controller ⇄ agent", () => {
  it("a simulated HGX host joins and its inventory lands in the database", async () => {
    const agent = await agentFor("hgx-h100");
    await agent.start();
    try {
      const row = await until("agent row", () => t.db.agent.findUnique({ where: { id: "hgx-h100" }, include: { resourceGroup: true } }));
      expect(row).toMatchObject({ status: "ALIVE", backend: "kata", iommuEnabled: expect.any(Boolean) });
      expect(row.resourceGroup?.name).toBe("gpu-kata");
      const gpus = await until("8 GPUs", async () => {
        const g = await t.db.gpu.findMany({ where: { agentId: "hgx-h100" }, orderBy: { pciAddress: "asc" } });
        return g.length === 8 ? g : null;
      });
      expect(gpus.filter((g) => g.passthrough === "ready")).toHaveLength(7);
      expect(gpus.find((g) => g.passthrough === "needs_vfio")?.driver).toBe("nvidia");
      expect(gpus.every((g) => g.model.includes("H100"))).toBe(true);
      expect(await t.db.iommuGroup.count({ where: { agentId: "hgx-h100", verdict: "safe" } })).toBeGreaterThanOrEqual(8);
      expect(await t.db.auditEvent.count({ where: { action: "agents.join", targetId: "hgx-h100" } })).toBe(1);
      // Heartbeats keep it alive past the LOST timeout.
      await new Promise((r) => setTimeout(r, 4_000));
      expect((await t.db.agent.findUniqueOrThrow({ where: { id: "hgx-h100" } })).status).toBe("ALIVE");
    } finally {
      await agent.stop();
    }
    // Stopped: no more heartbeats, so the sweeper marks it LOST within the timeout.
    const lost = await until("LOST", async () => {
      const a = await t.db.agent.findUniqueOrThrow({ where: { id: "hgx-h100" } });
      return a.status === "LOST" ? a : null;
    });
    expect(lost.statusReason).toMatch(/no heartbeat for 3 s/);
    expect(await t.db.auditEvent.count({ where: { action: "agents.lost", targetId: "hgx-h100" } })).toBe(1);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });

  it("refuses a host with the wrong join token", async () => {
    const agent = await agentFor("cpu-only", "not-the-right-token-000");
    await agent.start();
    try {
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await t.db.agent.findUnique({ where: { id: "cpu-only" } })).toBeNull();
    } finally {
      await agent.stop();
    }
  });
});
