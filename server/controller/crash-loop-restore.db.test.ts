/**
 * The crash-loop guard after a controller restart: critical alerts written by the previous process
 * (in the database) count toward the window, so the third failure of a GPU within 10 minutes
 * quarantines it even though this MetricsStore saw only that one.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../../test/db";
import { MetricsStore } from "./metrics-store";

let t: TestDb;
const SESSION = "5e551011-0000-4000-8000-000000000001";
const KERNEL = "4e7ae100-0000-4000-8000-000000000001";
const ADDRESS = "0000:19:00.0";
let gpuId: string;

beforeAll(async () => {
  t = await createTestDatabase();
  await t.db.user.create({ data: { id: "u-crash", email: "crash@x.test", name: "C" } });
  const project = await t.db.project.create({ data: { name: "crash" } });
  const rg = await t.db.resourceGroup.create({ data: { name: "gpu-kata", backend: "kata" } });
  await t.db.agent.create({ data: { id: "hgx-h100", backend: "kata", address: "127.0.0.1:1", resourceGroupId: rg.id } });
  gpuId = (await t.db.gpu.create({ data: { agentId: "hgx-h100", pciAddress: ADDRESS, uuid: "GPU-crash-0", model: "H100", passthrough: "ready", iommuGroupNumber: 1 } })).id;
  await t.db.session.create({
    data: { id: SESSION, name: "looping", projectId: project.id, ownerId: "u-crash", resourceGroupId: rg.id, image: "img", requestedSlots: {}, status: "RUNNING", kernels: { create: { id: KERNEL, image: "img", requestedSlots: {}, agentId: "hgx-h100", status: "RUNNING" } } },
  });
});
afterAll(() => t.drop());

const xidBatch = (atMs: number, code: number) => ({
  sessionId: SESSION,
  kernelId: KERNEL,
  scrapedAtMs: atMs,
  error: "",
  malformed: [],
  samples: [{ name: "DCGM_FI_DEV_XID_ERRORS", labels: { gpu: "0", UUID: "GPU-crash-0", pci_bus_id: "00000000:19:00.0", Hostname: "vm" }, value: code, timestampMs: 0 }],
});

describe("crash-loop guard across a controller restart", () => {
  it("counts the critical alerts the previous controller wrote", async () => {
    const now = Date.now();
    // What the previous controller process recorded: two critical Xids on this GPU in the last minutes.
    for (const [ago, xid] of [
      [240_000, 48],
      [120_000, 95],
    ] as const) {
      await t.db.gpuAlert.create({ data: { at: new Date(now - ago), key: `xid:GPU-crash-0:${xid}`, agentId: "hgx-h100", sessionId: SESSION, kernelId: KERNEL, gpuId, pciAddress: ADDRESS, kind: "xid", severity: "critical", xid, action: "reset-gpu", message: `Xid ${xid}` } });
    }
    const store = new MetricsStore({ db: t.db, now: () => now, log: () => {} });
    const r = await store.ingest("hgx-h100", xidBatch(now, 79) as never);
    expect(r.alerts.map((a) => a.kind)).toEqual(expect.arrayContaining(["xid", "crash-loop"]));
    expect(r.quarantined).toEqual([gpuId]);
    const gpu = await t.db.gpu.findUniqueOrThrow({ where: { id: gpuId } });
    expect(gpu.quarantined).toBe(true);
    expect(gpu.quarantineReason).toMatch(/crash-loop guard/);
  });
});
