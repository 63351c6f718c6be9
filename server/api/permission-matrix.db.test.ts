/**
 * Every procedure of the app router × every persona → allowed or refused, generated from the router
 * itself: a new procedure without a declared permission, or one whose guard disagrees with the
 * permission table, fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { appRouter, createCaller } from "./root";
import { actorFor, contextFor, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { PERMISSIONS, mayEver, type Permission } from "../authz/permissions";
import type { SignedInActor } from "./context";

type Proc = { _def: { meta?: { permission?: string }; type: "query" | "mutation" | "subscription" } };
const procedures = Object.entries((appRouter as unknown as { _def: { procedures: Record<string, Proc> } })._def.procedures);

let t: TestDb;
const personas: Record<string, SignedInActor | null> = {};
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  personas.anonymous = null;
  personas.admin = await actorFor(t.db, DEMO_USERS.admin.email);
  personas.auditor = await actorFor(t.db, DEMO_USERS.auditor.email);
  personas.owner = await actorFor(t.db, DEMO_USERS.owner.email);
  personas.member = await actorFor(t.db, DEMO_USERS.member.email);
  const outsider = await createCaller(contextFor(t.db, personas.admin)).users.create({
    email: "outsider@hypercell.local",
    name: "Otto Outsider",
    role: "user",
    password: "outsider-password-1",
  });
  personas.outsider = await actorFor(t.db, outsider.email);
});
afterAll(() => t.drop());

function expected(permission: string, actor: SignedInActor | null): boolean {
  if (permission === "public") return true;
  if (!actor) return false;
  if (permission === "authenticated") return true;
  return mayEver(actor, permission as Permission);
}

describe("permission matrix", () => {
  it("every procedure declares a known permission", () => {
    expect(procedures.length).toBeGreaterThan(15);
    const known = new Set<string>([...PERMISSIONS, "public", "authenticated"]);
    const undeclared = procedures.filter(([, p]) => !known.has(p._def.meta?.permission ?? "")).map(([path]) => path);
    expect(undeclared).toEqual([]);
  });

  it("no mutation is public, and auditors hold no mutation", () => {
    const mutations = procedures.filter(([, p]) => p._def.type === "mutation");
    expect(mutations.filter(([, p]) => p._def.meta?.permission === "public")).toEqual([]);
    for (const [path, p] of mutations) expect(expected(p._def.meta!.permission!, personas.auditor!), path).toBe(false);
  });

  it("the server's answer matches the table for every procedure and persona", async () => {
    const table: Record<string, Record<string, "allowed" | "refused">> = {};
    const mismatches: string[] = [];
    for (const [path, proc] of procedures) {
      table[path] = {};
      for (const [persona, actor] of Object.entries(personas)) {
        const caller = createCaller(contextFor(t.db, actor)) as unknown as Record<string, Record<string, (i: unknown) => Promise<unknown>>>;
        const [ns, name] = path.includes(".") ? path.split(".") : [null, path];
        const fn = ns ? caller[ns]![name!]! : (caller as unknown as Record<string, (i: unknown) => Promise<unknown>>)[name!]!;
        // Undefined input: an authorised call fails validation (or succeeds), never with a permission code.
        let outcome: "allowed" | "refused" = "allowed";
        try {
          await fn(undefined);
        } catch (e) {
          if (e instanceof TRPCError && (e.code === "UNAUTHORIZED" || e.code === "FORBIDDEN")) outcome = "refused";
        }
        table[path]![persona] = outcome;
        const want = expected(proc._def.meta!.permission!, actor) ? "allowed" : "refused";
        if (outcome !== want) mismatches.push(`${path} as ${persona}: ${outcome}, table says ${want}`);
      }
    }
    expect(mismatches).toEqual([]);
    // Spot checks that pin the table itself.
    expect(table["hosts.list"]).toEqual({ anonymous: "refused", admin: "allowed", auditor: "allowed", owner: "refused", member: "refused", outsider: "refused" });
    expect(table["users.create"]).toMatchObject({ admin: "allowed", auditor: "refused", owner: "refused" });
    expect(table["sessions.create"]).toMatchObject({ admin: "allowed", auditor: "refused", owner: "allowed", member: "allowed", outsider: "refused" });
    expect(table["audit.list"]).toMatchObject({ admin: "allowed", auditor: "allowed", owner: "refused" });
    expect(table["health"]).toMatchObject({ anonymous: "allowed" });
  });
});

describe("object-level checks", () => {
  it("an owner of one project gets NOT_FOUND for another project's session", async () => {
    const admin = createCaller(contextFor(t.db, personas.admin!));
    const nlp = await t.db.project.findUniqueOrThrow({ where: { name: "nlp-research" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const s = await admin.sessions.create({ projectId: nlp.id, resourceGroupId: rg.id, name: "nlp-run", image: "ngc/pytorch:24.08", gpus: 1, vcpus: 4, memoryGiB: 16 });
    const owner = createCaller(contextFor(t.db, personas.owner!));
    await expect(owner.sessions.get({ id: s.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.sessions.terminate({ id: s.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await owner.sessions.list()).map((x) => x.id)).not.toContain(s.id);
    await expect(owner.sessions.create({ projectId: nlp.id, resourceGroupId: rg.id, name: "sneak", image: "x", gpus: 0, vcpus: 1, memoryGiB: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.projects.get({ id: nlp.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const auditor = createCaller(contextFor(t.db, personas.auditor!));
    expect((await auditor.sessions.get({ id: s.id })).name).toBe("nlp-run");
  });

  it("a member may launch in their project but not manage its members", async () => {
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const member = createCaller(contextFor(t.db, personas.member!));
    const s = await member.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: "mine", image: "ngc/pytorch:24.08", gpus: 2, vcpus: 8, memoryGiB: 64 });
    expect(s.status).toBe("PENDING");
    await expect(member.projects.setMember({ projectId: vision.id, email: DEMO_USERS.auditor.email, role: "member" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const owner = createCaller(contextFor(t.db, personas.owner!));
    await owner.projects.setMember({ projectId: vision.id, email: "outsider@hypercell.local", role: "member" });
    const cancelled = await owner.sessions.terminate({ id: s.id });
    expect(cancelled.status).toBe("CANCELLED");
  });
});
