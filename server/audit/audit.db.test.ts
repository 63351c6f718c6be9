import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { verifyAuditChain } from "./query";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
});
afterAll(() => t.drop());

describe("audit trail", () => {
  it("writes exactly one event per mutation, in the same transaction", async () => {
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const before = await t.db.auditEvent.count();
    const rg = await admin.resourceGroups.create({ name: "audit-rg" });
    await admin.resourceGroups.update({ id: rg.id, description: "changed" });
    expect(await t.db.auditEvent.count()).toBe(before + 2);
    const last = await t.db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last).toMatchObject({
      action: "resourceGroups.update",
      targetType: "resourceGroup",
      targetId: rg.id,
      actorEmail: DEMO_USERS.admin.email,
      persona: "admin",
      result: "success",
      before: { description: "" },
      after: { description: "changed" },
    });
  });

  it("records a failed mutation as error and leaves the data unchanged", async () => {
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const groups = await t.db.resourceGroup.count();
    await expect(admin.resourceGroups.create({ name: "gpu-kata" })).rejects.toThrow(/already exists/);
    expect(await t.db.resourceGroup.count()).toBe(groups);
    const last = await t.db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last).toMatchObject({ action: "resourceGroups.create", result: "error" });
    expect(last.message).toMatch(/CONFLICT/);
  });

  it("records a refused mutation as denied", async () => {
    const auditor = await callerAs(t.db, DEMO_USERS.auditor.email);
    await expect(auditor.users.create({ email: "x@y.z", name: "X", role: "admin", password: "long-enough-password" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const last = await t.db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    expect(last).toMatchObject({ action: "users.create", result: "denied", actorEmail: DEMO_USERS.auditor.email, persona: "auditor" });
    expect(await t.db.user.count({ where: { email: "x@y.z" } })).toBe(0);
  });

  it("refuses UPDATE, DELETE and TRUNCATE in the database itself", async () => {
    await expect(t.db.$executeRawUnsafe(`UPDATE audit_events SET message = 'x'`)).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe(`DELETE FROM audit_events`)).rejects.toThrow(/append-only/);
    await expect(t.db.$executeRawUnsafe(`TRUNCATE audit_events`)).rejects.toThrow(/append-only/);
  });

  it("keeps one chain under concurrent mutations", async () => {
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    await Promise.all(Array.from({ length: 12 }, (_, i) => admin.resourceGroups.create({ name: `conc-${i}` })));
    const r = await verifyAuditChain(t.db);
    expect(r.ok).toBe(true);
  });

  it("verify names the first tampered event", async () => {
    const auditor = await callerAs(t.db, DEMO_USERS.auditor.email);
    const ok = await auditor.audit.verify();
    expect(ok.ok).toBe(true);
    const victim = await t.db.auditEvent.findFirstOrThrow({ where: { action: "resourceGroups.update" } });
    // A superuser who disables the trigger can change a row; the chain still tells.
    await t.db.$transaction([
      t.db.$executeRawUnsafe(`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update`),
      t.db.$executeRawUnsafe(`UPDATE audit_events SET after = '{"description":"forged"}' WHERE id = ${victim.id}`),
      t.db.$executeRawUnsafe(`ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update`),
    ]);
    const bad = await auditor.audit.verify();
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.break.id).toBe(victim.id);
      expect(bad.break.reason).toMatch(/changed after it was written/);
    }
  });
});
