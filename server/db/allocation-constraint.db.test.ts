import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDb } from "../../test/db";

let t: TestDb;
let gpuId: string;
let kernelA: string;
let kernelB: string;

beforeAll(async () => {
  t = await createTestDatabase();
  const user = await t.db.user.create({ data: { id: "u-alloc", email: "alloc@x.test", name: "A" } });
  const project = await t.db.project.create({ data: { name: "alloc-proj" } });
  const rg = await t.db.resourceGroup.create({ data: { name: "alloc-rg" } });
  await t.db.agent.create({ data: { id: "host-a", backend: "kata", address: "127.0.0.1:1" } });
  const gpu = await t.db.gpu.create({ data: { agentId: "host-a", pciAddress: "0000:18:00.0", model: "H100 SXM5 80GB", passthrough: "ready" } });
  gpuId = gpu.id;
  const mk = async (name: string) =>
    (
      await t.db.session.create({
        data: { name, projectId: project.id, ownerId: user.id, resourceGroupId: rg.id, image: "img", requestedSlots: {}, kernels: { create: { image: "img", requestedSlots: {} } } },
        include: { kernels: true },
      })
    ).kernels[0]!.id;
  kernelA = await mk("a");
  kernelB = await mk("b");
});
afterAll(() => t.drop());

describe("a GPU is in at most one live allocation", () => {
  it("refuses the second of two concurrent transactions", async () => {
    // Both transactions insert, then wait for each other before committing: the database must pick one.
    let release!: () => void;
    const barrier = new Promise<void>((r) => (release = r));
    let inserted = 0;
    const attempt = (kernelId: string) =>
      t.db.$transaction(async (tx) => {
        const p = tx.allocation.create({ data: { gpuId, kernelId, agentId: "host-a" } });
        if (++inserted === 2) release();
        await Promise.race([barrier, new Promise((r) => setTimeout(r, 500))]);
        return p;
      });
    const results = await Promise.allSettled([attempt(kernelA), attempt(kernelB)]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(ok).toHaveLength(1);
    expect(failed).toHaveLength(1);
    expect(String(failed[0]!.reason)).toMatch(/Unique constraint|allocations_one_live_per_gpu|P2002/);
    expect(await t.db.allocation.count({ where: { gpuId, releasedAt: null } })).toBe(1);
  });

  it("allows a new allocation once the old one is released, and never un-releases", async () => {
    const live = await t.db.allocation.findFirstOrThrow({ where: { gpuId, releasedAt: null } });
    await t.db.allocation.update({ where: { id: live.id }, data: { releasedAt: new Date() } });
    const other = live.kernelId === kernelA ? kernelB : kernelA;
    await t.db.allocation.create({ data: { gpuId, kernelId: other, agentId: "host-a" } });
    await expect(t.db.allocation.update({ where: { id: live.id }, data: { releasedAt: null } })).rejects.toThrow(/released/);
  });
});
