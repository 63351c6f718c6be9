/**
 * GPU metrics end to end over the real protocol: a 4-GPU session RUNNING on the simulated HGX host
 * has its in-VM exporter (SimulatedKernelTelemetry: a real HTTP exporter, the real scraper, 200 ms
 * interval) scraped; batches travel on the Watch stream to the controller's MetricsStore, which
 * stores compact rows and alerts. Then: metrics.session for its 4 GPUs (and NOT_FOUND outside the
 * caller's projects), an injected Xid 79 as a critical alert naming the GPU, quarantine (admin,
 * audited) and the crash-loop guard (system, audited), drain, rollups, and the Prometheus text.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
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
import { SimulatedKernelTelemetry } from "../agent/telemetry/simulated-kernel-telemetry";
import { verifyAuditChain } from "../audit/query";
import { MetricsStore } from "./metrics-store";
import { latestSamples } from "../api/routers/metrics/queries";
import { renderPrometheus } from "../api/routers/metrics/prometheus";
import { parsePrometheusText } from "../domain/metrics/prom-text-parser";

const TOKEN = "metrics-join-token-0123456789";
const INTERVAL = 200;
let t: TestDb;
let ctl: ControllerHandle;
let dir: string;
let agent: AgentRuntime;
const telemetry = new SimulatedKernelTelemetry({ hostname: "hgx-h100", intervalMs: INTERVAL, log: () => {} });


const log: string[] = [];
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-metrics-"));
  ctl = await startController({ DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1" }, (m) => log.push(`[ctl] ${m}`));
  const root = path.join(dir, "hgx");
  mkdirSync(root, { recursive: true });
  buildFakeSysfs(getSimHost("hgx-h100")!, root);
  const toml = `[agent]\nid = "hgx-h100"\nresource-group = "gpu-kata"\nlisten-address = "127.0.0.1:${await freePort()}"\ncontroller-address = "${ctl.address}"\njoin-token = "${TOKEN}"\nstate-dir = "${dir}/state"\nsysfs-root = "${root}"\nheartbeat-interval = 1\n\n[kata]\nconfidential-guest = true\n`;
  agent = new AgentRuntime({
    config: parseAgentConfig(toml),
    pciBus: new SysfsPciBus({ root }),
    sandboxRuntime: new SimulatedKataRuntime(20),
    telemetry,
    host: { vcpus: 224, memoryBytes: 2048 * 2 ** 30, confidentialCapability: "tdx", simulated: true },
    log: (m) => log.push(m),
  });
  await agent.start();
});
afterAll(async () => {
  if (process.env.DEBUG_METRICS) console.log(log.join("\n"));
  await agent?.stop();
  await telemetry.close();
  await ctl?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("GPU metrics", () => {
  it("a running simulated session is scraped, stored, charted, alerted on, quarantined and exported", async () => {
    await until("GPUs ingested", async () => (await t.db.gpu.count({ where: { agentId: "hgx-h100", passthrough: "ready" } })) === 7);
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "train", image: "ngc/pytorch:24.08-py3", gpus: 4, vcpus: 16, memoryGiB: 128 });
    const running = await until("RUNNING", async () => {
      const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: { include: { allocations: { include: { gpu: true } } } } } });
      return x.status === "RUNNING" ? x : x.status === "ERROR" ? Promise.reject(new Error(`session failed: ${x.statusInfo}`)) : null;
    });
    const k = running.kernels[0]!;
    const addresses = k.allocations.map((a) => a.gpu.pciAddress).sort();
    expect(addresses).toHaveLength(4);

    // Within a couple of intervals of RUNNING, every GPU has stored samples.
    const t0 = Date.now();
    await until("samples for 4 GPUs", async () => (await t.db.gpuMetricSample.groupBy({ by: ["pciAddress"], where: { sessionId: s.id } })).length === 4, 5_000);
    expect(Date.now() - t0).toBeLessThan(INTERVAL * 10);
    const sample = await t.db.gpuMetricSample.findFirstOrThrow({ where: { sessionId: s.id }, orderBy: { id: "asc" } });
    expect(sample).toMatchObject({ kernelId: k.id, agentId: "hgx-h100" });
    expect(sample.gpuUuid).toMatch(/^GPU-/);
    expect(sample.memClock).toBeGreaterThan(0);

    // metrics.session: one series per GPU, named by the host's PCI addresses.
    await until("3 scrapes", async () => (await t.db.gpuMetricSample.count({ where: { sessionId: s.id } })) >= 12);
    const m = await owner.metrics.session({ sessionId: s.id, range: "15m" });
    expect(m.gpus.map((g) => g.pciAddress).sort()).toEqual(addresses);
    expect(m.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3]);
    for (const g of m.gpus) {
      expect(g.points.length).toBeGreaterThan(0);
      expect(g.points.length).toBeLessThanOrEqual(360);
      expect(g.points[0]).toEqual(expect.objectContaining({ t: expect.any(Number), util: expect.any(Number), temp: expect.any(Number), power: expect.any(Number), smClock: expect.any(Number), nvlinkTx: expect.any(Number), pcieRx: expect.any(Number) }));
    }
    // Outside the caller's projects (or no such session): NOT_FOUND, never data.
    const nlp = await t.db.project.findUniqueOrThrow({ where: { name: "nlp-research" } });
    const other = await admin.sessions.create({ projectId: nlp.id, resourceGroupId: rg.id, name: "other", image: "ngc/pytorch:24.08", gpus: 0, vcpus: 1, memoryGiB: 1 });
    await expect(owner.metrics.session({ sessionId: other.id, range: "1h" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.metrics.session({ sessionId: randomUUID(), range: "1h" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.metrics.session({ sessionId: "not-a-uuid", range: "1h" })).rejects.toMatchObject({ code: "NOT_FOUND" });

    // Overview: the owner's project and host, 4 GPUs.
    const ov = await owner.metrics.overview();
    expect(ov.projects).toEqual([expect.objectContaining({ name: "vision-lab", gpus: 4, sessions: 1 })]);
    expect(ov.hosts).toEqual([expect.objectContaining({ id: "hgx-h100", gpus: 4 })]);

    // An injected Xid 79 on the kernel's GPU 1 becomes a critical alert naming that GPU.
    const gpu1 = m.gpus[1]!;
    telemetry.injectXid(k.id, 1, 79);
    const alert = await until("Xid 79 alert", () => t.db.gpuAlert.findFirst({ where: { sessionId: s.id, xid: 79 } }));
    expect(alert).toMatchObject({ severity: "critical", kind: "xid", agentId: "hgx-h100", pciAddress: gpu1.pciAddress, gpuUuid: gpu1.uuid, recommendQuarantine: true, action: "reboot-host" });
    expect(alert.message).toContain("fallen off the bus");
    expect(alert.message).toContain(gpu1.pciAddress);
    const gpuRow = await t.db.gpu.findUniqueOrThrow({ where: { agentId_pciAddress: { agentId: "hgx-h100", pciAddress: gpu1.pciAddress } } });
    expect(alert.gpuId).toBe(gpuRow.id);
    // Not repeated on the next scrapes (the last-Xid gauge still says 79).
    await new Promise((r) => setTimeout(r, INTERVAL * 4));
    expect(await t.db.gpuAlert.count({ where: { sessionId: s.id, xid: 79 } })).toBe(1);
    const listed = await owner.metrics.alerts({ sessionId: s.id });
    expect(listed.map((a) => a.xid)).toContain(79);
    expect(listed[0]!.session?.name).toBe("train");

    // Quarantine: admin only, audited; the scheduler skips the GPU from now on.
    await expect(owner.metrics.quarantineGpu({ gpuId: gpuRow.id, reason: "Xid 79" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const q = await admin.metrics.quarantineGpu({ gpuId: gpuRow.id, reason: "Xid 79: fell off the bus" });
    expect(q).toMatchObject({ quarantined: true, quarantineReason: "Xid 79: fell off the bus" });
    const ev = await t.db.auditEvent.findFirstOrThrow({ where: { action: "gpus.quarantine", targetId: gpuRow.id, result: "success" } });
    expect(ev).toMatchObject({ actorEmail: DEMO_USERS.admin.email, persona: "admin" });

    // Crash-loop guard: three critical alerts on one GPU within 10 minutes quarantine it, as the system.
    const gpu2 = m.gpus[2]!;
    for (const code of [48, 95, 64]) {
      telemetry.injectXid(k.id, 2, code);
      await until(`Xid ${code} alert`, () => t.db.gpuAlert.findFirst({ where: { sessionId: s.id, xid: code, pciAddress: gpu2.pciAddress } }));
    }
    const looped = await until("crash-loop quarantine", async () => {
      const g = await t.db.gpu.findUniqueOrThrow({ where: { agentId_pciAddress: { agentId: "hgx-h100", pciAddress: gpu2.pciAddress } } });
      return g.quarantined ? g : null;
    });
    expect(looped.quarantineReason).toMatch(/crash-loop guard/);
    expect(await t.db.gpuAlert.findFirst({ where: { kind: "crash-loop", pciAddress: gpu2.pciAddress } })).toMatchObject({ severity: "critical" });
    expect(await t.db.auditEvent.findFirst({ where: { action: "gpus.quarantine", targetId: looped.id, persona: "system" } })).not.toBeNull();

    // Drain: hosts.manage, audited.
    await expect(owner.metrics.drainHost({ agentId: "hgx-h100" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await admin.metrics.drainHost({ agentId: "hgx-h100" })).toEqual({ id: "hgx-h100", schedulable: false });
    expect(await t.db.auditEvent.findFirst({ where: { action: "hosts.drain", targetId: "hgx-h100", result: "success" } })).not.toBeNull();

    // And back: release the GPU, resume the host, acknowledge the alert — each admin-only and audited.
    await expect(owner.metrics.releaseGpu({ gpuId: gpuRow.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await admin.metrics.releaseGpu({ gpuId: gpuRow.id, note: "GPU reseated" })).toMatchObject({ quarantined: false });
    await expect(admin.metrics.releaseGpu({ gpuId: gpuRow.id })).rejects.toThrow(`GPU ${gpu1.pciAddress} on hgx-h100 is not quarantined.`);
    expect(await t.db.auditEvent.findFirst({ where: { action: "gpus.release", targetId: gpuRow.id, message: "GPU reseated" } })).not.toBeNull();
    expect(await admin.metrics.resumeHost({ agentId: "hgx-h100" })).toEqual({ id: "hgx-h100", schedulable: true });
    await expect(admin.metrics.resumeHost({ agentId: "hgx-h100" })).rejects.toThrow("Host hgx-h100 is not drained.");
    await expect(owner.metrics.acknowledgeAlert({ id: alert.id.toString() })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await admin.metrics.acknowledgeAlert({ id: alert.id.toString() })).toEqual({ id: alert.id.toString(), acknowledged: true });
    expect((await owner.metrics.alerts({ sessionId: s.id })).find((a) => a.id === alert.id.toString())?.acknowledged).toBe(true);
    await expect(admin.metrics.acknowledgeAlert({ id: alert.id.toString() })).rejects.toThrow("already acknowledged");
    await expect(admin.metrics.acknowledgeAlert({ id: "not-a-number" })).rejects.toThrow(/must be an alert id/);

    // Rollups: the minute job folds raw samples into 1-minute rows; the 6 h view reads both.
    const store = new MetricsStore({ db: t.db });
    const r = await store.rollup(Date.now() + 60_000);
    expect(r.rolled).toBeGreaterThanOrEqual(4);
    const rolled = await t.db.gpuMetricRollup.findMany({ where: { sessionId: s.id } });
    expect(new Set(rolled.map((x) => x.pciAddress)).size).toBe(4);
    expect(rolled[0]!.samples).toBeGreaterThan(0);
    const six = await owner.metrics.session({ sessionId: s.id, range: "6h" });
    expect(six.gpus).toHaveLength(4);
    expect(six.stepSec).toBe(60);

    // The Prometheus text carries session, project, host, kernel and GPU labels and parses back.
    const text = renderPrometheus(await latestSamples(t.db, "all"));
    const parsed = parsePrometheusText(text);
    expect(parsed.errors).toEqual([]);
    const util = parsed.samples.filter((x) => x.name === "DCGM_FI_DEV_GPU_UTIL");
    expect(util).toHaveLength(4);
    expect(util[0]!.labels).toMatchObject({ session: s.id, session_name: "train", project: "vision-lab", host: "hgx-h100", kernel: k.id });
    expect(util.map((x) => x.labels.pci_bus_id).sort()).toEqual(addresses);

    // Terminating stops the scrape and closes the exporter.
    await owner.sessions.terminate({ id: s.id });
    await until("TERMINATED", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
    await until("watch stopped", async () => telemetry.kernels().length === 0);
    expect(await latestSamples(t.db, "all")).toEqual([]);
    expect((await verifyAuditChain(t.db)).ok).toBe(true);
  });
});
