/**
 * The Network page's API over a real database: two running sessions in different projects are
 * mutually unreachable (named policy), members of one session reach each other, owners see only
 * their projects, and there is no datastore to drift from or repair in a plain setup.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TRPCError } from "@trpc/server";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../../../test/db";
import { seedDemo, DEMO_USERS } from "../../../db/seed";

let t: TestDb;
let vision: { id: string };
let nlp: { id: string };
let visionSession: string;
let nlpSession: string;

async function runningSession(projectId: string, name: string, ownerEmail: string, agents: string[]): Promise<string> {
  const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
  const owner = await t.db.user.findUniqueOrThrow({ where: { email: ownerEmail } });
  const slots = { cpu: 4, mem: 8 * 2 ** 30, "cuda.device": 1 };
  const s = await t.db.session.create({
    data: {
      name,
      projectId,
      ownerId: owner.id,
      resourceGroupId: rg.id,
      image: "ngc/pytorch:24.08-py3",
      requestedSlots: slots,
      clusterSize: agents.length,
      status: "RUNNING",
      kernels: {
        create: agents.map((agentId, i) => ({
          clusterRole: i === 0 ? "main" : "sub",
          clusterIdx: i + 1,
          clusterHostname: i === 0 ? "main1" : `sub${i}`,
          agentId,
          image: "ngc/pytorch:24.08-py3",
          requestedSlots: slots,
          status: "RUNNING" as const,
        })),
      },
    },
  });
  return s.id;
}

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  await t.db.agent.createMany({
    data: [
      { id: "gpu-node-1", backend: "kata", address: "172.16.0.11:6001" },
      { id: "gpu-node-2", backend: "kata", address: "172.16.0.12:6001" },
    ],
  });
  vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
  nlp = await t.db.project.findUniqueOrThrow({ where: { name: "nlp-research" } });
  // A two-VM cluster in vision-lab (one VM per host) and a single VM in nlp-research.
  visionSession = await runningSession(vision.id, "train", DEMO_USERS.owner.email, ["gpu-node-1", "gpu-node-2"]);
  nlpSession = await runningSession(nlp.id, "finetune", DEMO_USERS.admin.email, ["gpu-node-2"]);
  // An ended session is not in the policy at all.
  const ended = await runningSession(vision.id, "old", DEMO_USERS.owner.email, ["gpu-node-1"]);
  await t.db.session.update({ where: { id: ended }, data: { status: "TERMINATED" } });
});
afterAll(() => t.drop());

describe("network.overview", () => {
  it("shows two sessions in different projects mutually unreachable, naming the deciding policy, and each session reachable inside", async () => {
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const o = await admin.network.overview();
    expect(o.sessions.map((s) => s.name).sort()).toEqual(["finetune", "train"]);
    expect(o.matrix.sessions.sort()).toEqual([visionSession, nlpSession].sort());
    expect(o.ports.map((p) => p.key)).toContain("TCP/2000");

    const cell = (from: string, to: string, port: string) => o.matrix.cells.find((c) => c.from === from && c.to === to && c.port === port)!;
    for (const port of o.ports.map((p) => p.key)) {
      for (const [a, b] of [
        [visionSession, nlpSession],
        [nlpSession, visionSession],
      ] as const) {
        const c = cell(a, b, port);
        expect(c.allowed, `${a} → ${b} ${port}`).toBe(false);
        const d = o.matrix.decisions[c.decidedBy!]!;
        expect(d.action).toBe("Deny");
        expect(d.tier).toBe("hypercell-admin");
        expect(d.policy).toBe("hypercell-admin.default-deny-inter-session");
        expect(d.ruleIndex).toBe(0);
        expect(d.text).toContain("default-deny-inter-session");
      }
      // Inside the two-VM session: main1 ↔ sub1 on every port, by the session's own allow.
      const inside = cell(visionSession, visionSession, port);
      expect(inside.pairs).toBe(2);
      expect(inside.allowed).toBe(true);
      const d = o.matrix.decisions[inside.decidedBy!]!;
      expect(d.action).toBe("Allow");
      expect(d.policy).toBe(`hypercell-admin.allow-intra-session-${visionSession}`);
    }
    expect(o.isolation.ok).toBe(true);
    expect(o.isolation.violations).toEqual([]);
    expect(o.isolation.endpoints).toBe(3);
    // Simulated addresses come from the pool and are distinct.
    const addrs = o.sessions.flatMap((s) => s.members.map((m) => m.address));
    expect(new Set(addrs).size).toBe(3);
    for (const a of addrs) expect(a).toMatch(/^10\.244\.\d+\.\d+$/);
  });

  it("gives an owner only their projects' sessions, and NOT_FOUND for another project's policies", async () => {
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const o = await owner.network.overview();
    expect(o.sessions.map((s) => s.id)).toEqual([visionSession]);
    expect(o.matrix.sessions).toEqual([visionSession]);
    expect(o.matrix.cells.every((c) => c.from === visionSession && c.to === visionSession)).toBe(true);
    expect(JSON.stringify(o)).not.toContain(nlpSession);
    // The verdict still covers everyone's policy, without telling how many VMs other projects run.
    expect(o.isolation.ok).toBe(true);
    expect(o.isolation.endpoints).toBeNull();
    expect(o.controlPlane.agents).toEqual([]);
    // Drift names only the hosts running the owner's VMs.
    expect((await owner.network.drift()).hosts.map((h) => h.agentId).sort()).toEqual(["gpu-node-1", "gpu-node-2"]);

    const mine = await owner.network.sessionPolicies({ sessionId: visionSession });
    expect(mine.yaml).toContain("kind: GlobalNetworkPolicy");
    expect(mine.yaml).toContain(`name: hypercell-admin.allow-intra-session-${visionSession}`);
    expect(mine.yaml).toContain("hypercell-admin.default-deny-inter-session");
    expect(mine.yaml).toContain("kind: WorkloadEndpoint");
    expect(mine.yaml).toContain("/calico/resources/v3/projectcalico.org/globalnetworkpolicies/");
    expect(mine.yaml).not.toContain(nlpSession);
    expect(mine.objects.filter((x) => x.owned && x.kind === "WorkloadEndpoint")).toHaveLength(2);

    await expect(owner.network.sessionPolicies({ sessionId: nlpSession })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(owner.network.sessionPolicies({ sessionId: "not-a-uuid" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("says honestly that no datastore is configured, and refuses to re-apply without one", async () => {
    delete process.env.HYPERCELL_CALICO_ETCD_ENDPOINTS;
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const d = await admin.network.drift();
    expect(d.datastore).toBe("none configured");
    expect(d.hosts.map((h) => h.agentId).sort()).toEqual(["gpu-node-1", "gpu-node-2"]);
    expect(d.hosts.every((h) => h.status === "not checked")).toBe(true);
    const err = await admin.network.repair().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("PRECONDITION_FAILED");
    expect((err as TRPCError).message).toContain("HYPERCELL_CALICO_ETCD_ENDPOINTS");
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    await expect(owner.network.repair()).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
