/** Session changes are pushed (NOTIFY → server-sent events), and only for sessions the caller may see. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../../../test/db";
import { seedDemo, DEMO_USERS } from "../../../db/seed";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
});
afterAll(() => t.drop());

describe("sessions.changes", () => {
  it("streams the owner's own session changes and nothing from other projects", async () => {
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const nlp = await t.db.project.findUniqueOrThrow({ where: { name: "nlp-research" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const stream = (await owner.sessions.changes()) as AsyncIterable<{ id: string; status: string }>;
    const it = stream[Symbol.asyncIterator]();
    const first = it.next();
    // Give the LISTEN a moment to be in place, then change things in both projects.
    await new Promise((r) => setTimeout(r, 300));
    await admin.sessions.create({ projectId: nlp.id, resourceGroupId: rg.id, name: "not-yours", image: "img", gpus: 0, vcpus: 1, memoryGiB: 1 });
    const mine = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "mine", image: "img", gpus: 0, vcpus: 1, memoryGiB: 1 });
    const got = await Promise.race([first, new Promise<never>((_, rej) => setTimeout(() => rej(new Error("no event within 5 s")), 5_000))]);
    expect(got.value).toMatchObject({ id: mine.id, status: "PENDING" });
    const second = it.next();
    await owner.sessions.terminate({ id: mine.id });
    expect((await second).value).toMatchObject({ id: mine.id, status: "CANCELLED" });
    await it.return?.();
  });
});
