import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { externalPeersFor, findIsolationViolations, reachabilityForTenancy } from "./isolation";
import { allObjects, renderPolicy } from "./render-policy";
import {
  collectEndpoints,
  compilePolicies,
  computeReachability,
  computeReachabilityCompiled,
  describeDecision,
  evaluatePairNaive,
  type CellVerdict,
  type ExternalPeer,
  type Probe,
} from "./reachability";
import { demoTenancy, syntheticTenancy } from "./sample-tenancy";
import {
  CALICO_API_VERSION,
  DEFAULT_CONTROL_PORTS,
  type CalicoResource,
  type GlobalNetworkPolicyResource,
  type NetworkPolicyResource,
  type PolicySpec,
  type Rule,
  type Tenancy,
  type TierResource,
  type WorkloadEndpointResource,
} from "./types";

// ---- builders for hand-written policy sets

const tier = (name: string, order?: number, defaultAction?: "Deny" | "Pass"): TierResource => ({
  apiVersion: CALICO_API_VERSION,
  kind: "Tier",
  metadata: { name },
  spec: { ...(order !== undefined ? { order } : {}), ...(defaultAction ? { defaultAction } : {}) },
});
const gnp = (name: string, spec: PolicySpec): GlobalNetworkPolicyResource => ({ apiVersion: CALICO_API_VERSION, kind: "GlobalNetworkPolicy", metadata: { name }, spec });
const np = (ns: string, name: string, spec: PolicySpec): NetworkPolicyResource => ({
  apiVersion: CALICO_API_VERSION,
  kind: "NetworkPolicy",
  metadata: { name, namespace: ns },
  spec,
});
const wep = (name: string, ip: string | undefined, labels: Record<string, string>, ns = "default", ports?: WorkloadEndpointResource["spec"]["ports"]): WorkloadEndpointResource => ({
  apiVersion: CALICO_API_VERSION,
  kind: "WorkloadEndpoint",
  metadata: { name, namespace: ns, labels },
  spec: { node: "n", ...(ip ? { ipNetworks: [`${ip}/32`] } : {}), ...(ports ? { ports } : {}) },
});

const TCP80: Probe = { protocol: "TCP", port: 80 };
const probes: Probe[] = [TCP80, { protocol: "TCP", port: 2005 }, { protocol: "UDP", port: 53 }];

/** Verdict for (src → dst, probe) by id, after checking the fast matrix agrees with the naive evaluator. */
function judge(resources: CalicoResource[], src: string, dst: string, probe: Probe = TCP80, externals: ExternalPeer[] = [], profileAction: "Allow" | "Deny" = "Deny"): CellVerdict {
  const m = computeReachability({ resources, externals, probes: [probe], profileAction });
  const idx = (id: string) => {
    const i = m.endpoints.findIndex((e) => e.id === id || e.id === `default/${id}`);
    if (i < 0) throw new Error(`no endpoint ${id}`);
    return i;
  };
  const fast = m.verdict(idx(src), idx(dst), 0);
  const naive = evaluatePairNaive(compilePolicies(resources), collectEndpoints(resources, externals), idx(src), idx(dst), probe, profileAction);
  expect(fast).toEqual(naive);
  return fast;
}

const A = wep("a", "10.0.0.1", { app: "a", role: "x" });
const B = wep("b", "10.0.0.2", { app: "b", role: "x" });
const allowAll: Rule[] = [{ action: "Allow" }];

describe("Calico evaluation semantics", () => {
  it("needs both the source's egress and the destination's ingress to allow", () => {
    const rs = [A, B, gnp("eg", { selector: "app == 'a'", types: ["Egress"], egress: allowAll }), gnp("in", { selector: "app == 'b'", types: ["Ingress"], ingress: [{ action: "Deny" }] })];
    const v = judge(rs, "a", "b");
    expect(v.allowed).toBe(false);
    expect(v.egress).toMatchObject({ action: "Allow", policy: "eg" });
    expect(v.decidedBy).toMatchObject({ action: "Deny", direction: "ingress", policy: "in", ruleIndex: 0 });
  });

  it("falls back to the profile default when no policy selects the endpoint", () => {
    expect(judge([A, B], "a", "b").decidedBy).toMatchObject({ reason: "profile", action: "Deny", direction: "egress" });
    expect(judge([A, B], "a", "b", TCP80, [], "Allow").allowed).toBe(true);
  });

  it("runs tiers by order, missing order last, and the first matching rule wins", () => {
    const rs = [
      A,
      B,
      tier("late"),
      tier("early", 5),
      gnp("late.deny", { tier: "late", selector: "all()", ingress: [{ action: "Deny" }], egress: [{ action: "Deny" }] }),
      gnp("early.allow", { tier: "early", selector: "all()", ingress: allowAll, egress: allowAll }),
    ];
    expect(judge(rs, "a", "b").ingress).toMatchObject({ policy: "early.allow", tier: "early" });
  });

  it("orders policies in a tier by order, then by name", () => {
    const rs = [
      A,
      B,
      gnp("zz", { selector: "all()", order: 1, ingress: [{ action: "Deny" }], egress: allowAll }),
      gnp("bb", { selector: "all()", order: 2, ingress: allowAll, egress: allowAll }),
      gnp("aa", { selector: "all()", order: 2, ingress: allowAll, egress: allowAll }),
    ];
    expect(judge(rs, "a", "b").ingress.policy).toBe("zz");
    const noOrder = [A, B, gnp("b2", { selector: "all()", ingress: [{ action: "Deny" }], egress: allowAll }), gnp("a2", { selector: "all()", ingress: allowAll, egress: allowAll })];
    expect(judge(noOrder, "a", "b").ingress.policy).toBe("a2");
  });

  it("Pass jumps to the next tier, Log carries on", () => {
    const rs = [
      A,
      B,
      tier("t1", 1),
      tier("t2", 2),
      gnp("t1.p", { tier: "t1", selector: "all()", order: 1, ingress: [{ action: "Log" }, { action: "Pass" }, { action: "Deny" }], egress: [{ action: "Pass" }] }),
      gnp("t1.q", { tier: "t1", selector: "all()", order: 9, ingress: [{ action: "Deny" }], egress: [{ action: "Deny" }] }),
      gnp("t2.p", { tier: "t2", selector: "all()", ingress: allowAll, egress: allowAll }),
    ];
    const v = judge(rs, "a", "b");
    expect(v.allowed).toBe(true);
    expect(v.ingress).toMatchObject({ policy: "t2.p", tier: "t2" });
  });

  it("denies at the end of a tier only when one of its policies selected the endpoint for that direction", () => {
    const ingressOnly = gnp("t1.in", { tier: "t1", selector: "all()", types: ["Ingress"], ingress: [{ action: "Allow", source: { selector: "app == 'nobody'" } }] });
    const rs = [A, B, tier("t1", 1), tier("t2", 2), ingressOnly, gnp("t2.all", { tier: "t2", selector: "all()", ingress: allowAll, egress: allowAll })];
    const v = judge(rs, "a", "b");
    expect(v.egress).toMatchObject({ policy: "t2.all" }); // t1 takes no part in egress
    expect(v.ingress).toMatchObject({ reason: "end-of-tier", tier: "t1", action: "Deny" });
    const passTier = [A, B, tier("t1", 1, "Pass"), tier("t2", 2), ingressOnly, gnp("t2.all", { tier: "t2", selector: "all()", ingress: allowAll, egress: allowAll })];
    expect(judge(passTier, "a", "b").ingress).toMatchObject({ policy: "t2.all" });
  });

  it("defaults types from the rules present, like libcalico-go", () => {
    // No types, no egress rules → ingress only: egress falls to the profile.
    const rs = [A, B, gnp("p", { selector: "all()", ingress: allowAll })];
    expect(judge(rs, "a", "b").egress).toMatchObject({ reason: "profile" });
  });

  it("matches plain IP peers by nets only: never by selector, always by notSelector", () => {
    const agent: ExternalPeer = { id: "agent", ip: "172.16.0.1", role: "agent" };
    const bySel = [A, gnp("p", { selector: "all()", ingress: [{ action: "Allow", source: { selector: "all()" } }] })];
    expect(judge(bySel, "agent", "a", TCP80, [agent]).decidedBy).toMatchObject({ reason: "end-of-tier" });
    const byNot = [A, gnp("p", { selector: "all()", ingress: [{ action: "Allow", source: { notSelector: "all()" } }] })];
    expect(judge(byNot, "agent", "a", TCP80, [agent]).allowed).toBe(true);
    const byNets = [A, gnp("p", { selector: "all()", ingress: [{ action: "Allow", source: { nets: ["172.16.0.0/24"] } }] })];
    const v = judge(byNets, "agent", "a", TCP80, [agent]);
    expect(v.allowed).toBe(true);
    expect(v.egress.reason).toBe("not-enforced");
    const notNets = [A, gnp("p", { selector: "all()", ingress: [{ action: "Allow", source: { notNets: ["172.16.0.0/24"] } }] })];
    expect(judge(notNets, "agent", "a", TCP80, [agent]).allowed).toBe(false);
  });

  it("matches protocols, port ranges, notPorts and named ports", () => {
    const named = wep("b", "10.0.0.2", { app: "b" }, "default", [{ name: "metrics", port: 2005, protocol: "TCP" }]);
    const rs = (rule: Rule) => [A, named, gnp("e", { selector: "all()", egress: allowAll, ingress: [rule] })];
    const p2005: Probe = { protocol: "TCP", port: 2005 };
    expect(judge(rs({ action: "Allow", protocol: "TCP", destination: { ports: ["2000:2010"] } }), "a", "b", p2005).allowed).toBe(true);
    expect(judge(rs({ action: "Allow", protocol: "UDP", destination: { ports: ["2000:2010"] } }), "a", "b", p2005).allowed).toBe(false);
    expect(judge(rs({ action: "Allow", protocol: "TCP", destination: { notPorts: [2005] } }), "a", "b", p2005).allowed).toBe(false);
    expect(judge(rs({ action: "Allow", notProtocol: "UDP" }), "a", "b", p2005).allowed).toBe(true);
    expect(judge(rs({ action: "Allow", protocol: "TCP", destination: { ports: ["metrics"] } }), "a", "b", p2005).allowed).toBe(true);
    expect(judge(rs({ action: "Allow", protocol: "TCP", destination: { ports: ["metrics"] } }), "a", "b", TCP80).allowed).toBe(false);
    expect(judge(rs({ action: "Allow", protocol: "ICMP", icmp: { type: 8 } }), "a", "b", p2005).allowed).toBe(false);
    expect(judge(rs({ action: "Allow", protocol: 6, source: { ports: ["40000:60000"] } }), "a", "b", p2005).allowed).toBe(true);
  });

  it("keeps a NetworkPolicy to its namespace, and its rule selectors too", () => {
    const a = wep("a", "10.0.0.1", { app: "a" }, "ns1");
    const b = wep("b", "10.0.0.2", { app: "b" }, "ns2");
    const c = wep("c", "10.0.0.3", { app: "b" }, "ns1");
    const base = [a, b, c, gnp("eg", { selector: "all()", egress: allowAll })];
    const pol = np("ns1", "default.p", { selector: "all()", ingress: [{ action: "Allow", source: { selector: "app == 'a'" } }] });
    expect(judge([...base, pol], "ns1/a", "ns1/c").ingress).toMatchObject({ policy: "default.p", policyNamespace: "ns1" });
    expect(judge([...base, pol], "ns1/a", "ns2/b").ingress.reason).toBe("profile");
    const cross = np("ns1", "default.q", { selector: "all()", ingress: [{ action: "Allow", source: { selector: "app == 'b'" } }] });
    expect(judge([...base, cross], "ns2/b", "ns1/a").allowed).toBe(false);
    const crossNs = np("ns1", "default.q", { selector: "all()", ingress: [{ action: "Allow", source: { selector: "app == 'b'", namespaceSelector: "projectcalico.org/name == 'ns2'" } }] });
    expect(judge([...base, crossNs], "ns2/b", "ns1/a").allowed).toBe(true);
    const globalOnly = np("ns1", "default.q", { selector: "all()", ingress: [{ action: "Allow", source: { namespaceSelector: "global()" } }] });
    expect(judge([...base, globalOnly], "ns2/b", "ns1/a").allowed).toBe(false);
  });

  it("skips policies it cannot place and refuses features it does not model", () => {
    const m = computeReachability({
      resources: [A, B, wep("c", undefined, {}), gnp("ghost.p", { tier: "ghost", selector: "all()", ingress: [{ action: "Deny" }] }), gnp("host", { selector: "all()", doNotTrack: true, applyOnForward: true, ingress: [{ action: "Deny" }] })],
      probes,
    });
    expect(m.ignoredPolicies.map((i) => i.policy)).toEqual(["ghost.p", "host"]);
    expect(m.skipped).toEqual([{ id: "default/c", reason: expect.stringMatching(/no address/) }]);
    expect(() => computeReachability({ resources: [A, gnp("h", { selector: "all()", ingress: [{ action: "Allow", http: { methods: ["GET"] } }] })], probes })).toThrow(/HTTP matches/);
    expect(() => computeReachability({ resources: [A, gnp("h", { selector: "app = 'x'" })], probes })).toThrow(/GlobalNetworkPolicy h\.spec\.selector: invalid selector at position 4/);
  });

  it("explains decisions in words", () => {
    const v = judge([A, B, gnp("in", { selector: "app == 'b'", types: ["Ingress"], ingress: [{ action: "Deny", metadata: { annotations: { "hypercell.io/rule": "why" } } }] }), gnp("eg", { selector: "all()", egress: allowAll })], "a", "b");
    expect(describeDecision(v.decidedBy)).toBe("Deny (ingress) by in ingress rule 0 [why]");
  });
});

describe("Hypercell's rendered policy isolates sessions", () => {
  it("demo: no path between sessions, every path inside one, agents reach control ports only", () => {
    const { tenancy, matrix } = reachabilityForTenancy(demoTenancy());
    expect(findIsolationViolations(tenancy, matrix)).toEqual([]);
    const at = (prefix: string) => matrix.endpoints.findIndex((e) => e.id.includes(prefix));
    const dcgm = matrix.probes.findIndex((p) => p.port === 9400);
    const grpc = matrix.probes.findIndex((p) => p.port === 6001);
    // Two sessions in different projects: mutually unreachable, and the console can say why.
    const a1 = at("kern--a1--0");
    const c3 = at("kern--c3--0");
    for (const [s, d] of [
      [a1, c3],
      [c3, a1],
    ]) {
      const v = matrix.verdict(s!, d!, dcgm);
      expect(v.allowed).toBe(false);
      expect(describeDecision(v.decidedBy)).toBe("Deny (egress) by hypercell-admin.default-deny-inter-session egress rule 0 [deny-to-other-sessions]");
      expect(v.ingress).toMatchObject({ action: "Deny", policy: "hypercell-admin.default-deny-inter-session" });
    }
    // Members of the two-host session reach each other through their session's policy.
    const v = matrix.verdict(at("kern--b2--0"), at("kern--b2--1"), grpc);
    expect(v.allowed).toBe(true);
    expect(v.ingress.policy).toBe("hypercell-admin.allow-intra-session-sess-b2");
    // The agent scrapes the exporter; it cannot open anything else; sessions never reach it.
    const agent = matrix.endpoints.findIndex((e) => e.id === "agent:gpu-node-1");
    expect(matrix.verdict(agent, a1, dcgm).ingress.policy).toBe("hypercell-admin.allow-control-plane-ingress");
    expect(matrix.verdict(agent, a1, matrix.probes.findIndex((p) => p.port === 2200)).decidedBy).toMatchObject({ reason: "end-of-tier", tier: "hypercell-project" });
    expect(matrix.verdict(a1, agent, grpc).decidedBy.policy).toBe("hypercell-admin.deny-control-plane-egress");
  });

  it("the checker catches a policy set that leaks", () => {
    const t = demoTenancy();
    const objs = allObjects(renderPolicy(t)).map((o) =>
      // Someone widens two sessions' intra-session policies to everyone.
      o.metadata.name.endsWith("intra-session-sess-a1") || o.metadata.name.endsWith("intra-session-sess-c3")
        ? ({ ...o, spec: { ...o.spec, ingress: [{ action: "Allow" }], egress: [{ action: "Allow" }] } } as CalicoResource)
        : o,
    );
    const matrix = computeReachability({ resources: objs, externals: externalPeersFor(t), probes: [TCP80] });
    const violations = findIsolationViolations(t, matrix);
    expect(violations.length).toBeGreaterThan(0);
    expect(violations).toContainEqual(
      expect.objectContaining({
        src: "default/gpu--node--1-cni-kern--a1--0-eth0",
        dst: "default/gpu--node--2-cni-kern--c3--0-eth0",
        expected: "denied",
        why: "no path between sessions",
        actual: expect.stringContaining("hypercell-admin.allow-intra-session-sess-c3"),
      }),
    );
  });

  it("holds for 1,000 endpoints", () => {
    const t = syntheticTenancy({ sessions: 10_000, maxEndpoints: 1000, seed: 11 });
    const small: Probe[] = [{ protocol: "TCP", port: 9400 }, { protocol: "TCP", port: 6001 }, { protocol: "UDP", port: 53 }];
    const { tenancy, matrix } = reachabilityForTenancy(t, { probes: small });
    expect(matrix.workloadCount).toBe(1000);
    expect(findIsolationViolations(tenancy, matrix)).toEqual([]);
  });
});

// ---- properties

const arbTenancy: fc.Arbitrary<Tenancy> = fc
  .record({
    sessions: fc.array(
      fc.record({
        project: fc.integer({ min: 0, max: 2 }),
        members: fc.array(fc.record({ host: fc.integer({ min: 0, max: 2 }), role: fc.constantFrom("main", "sub") }), { minLength: 1, maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 5 },
    ),
    egress: fc.array(
      fc.record({
        project: fc.integer({ min: 0, max: 2 }),
        net: fc.integer({ min: 0, max: 3 }),
        ports: fc.option(fc.uniqueArray(fc.constantFrom(53, 443, 9400, 2000), { minLength: 1, maxLength: 2 }), { nil: undefined }),
        protocol: fc.option(fc.constantFrom("TCP" as const, "UDP" as const), { nil: undefined }),
      }),
      { maxLength: 4 },
    ),
    storage: fc.boolean(),
    agents: fc.boolean(),
  })
  .map(({ sessions, egress, storage, agents }) => {
    let ip = 2;
    const projectEgress: Tenancy["projectEgress"] = {};
    // 0.0.0.0/0 included on purpose: a wide allow-list must not open anything the admin tier denies.
    const nets = ["198.51.100.0/24", "203.0.113.0/24", "0.0.0.0/0", "172.16.0.0/16"];
    for (const e of egress) (projectEgress[`p${e.project}`] ??= []).push({ cidr: nets[e.net]!, ports: e.ports, protocol: e.protocol });
    return {
      sessions: sessions.map((s, i) => ({
        id: `s${i}`,
        projectId: `p${s.project}`,
        resourceGroup: "gpu",
        members: s.members.map((m, j) => ({ kernelId: `s${i}-k${j}`, clusterRole: m.role, host: `h${m.host}`, ip: `10.244.0.${ip++}` })),
      })),
      projectEgress,
      storageNetworks: storage ? ["192.168.50.0/24"] : [],
      controlPlane: {
        agents: agents ? [0, 1, 2].map((h) => ({ host: `h${h}`, ip: `172.16.0.${h + 10}` })) : [],
        controllers: ["172.16.0.2"],
        ports: { ...DEFAULT_CONTROL_PORTS },
      },
    };
  });

describe("properties", () => {
  it("any tenancy: isolated between sessions, open inside, nothing else", () => {
    fc.assert(
      fc.property(arbTenancy, (t) => {
        const { tenancy, matrix } = reachabilityForTenancy(t);
        expect(findIsolationViolations(tenancy, matrix, 3)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  // Random policy sets (tiers, orders, Pass/Log, selectors, nets, ports, namespaces) over random
  // endpoints: the precomputed matrix must say exactly what the naive evaluator says, cell by cell.
  const sel = fc.constantFrom("all()", "app == 'a'", "app != 'a'", "has(role)", "!has(role)", "app in {'a', 'b'}", "role == 'x' || app == 'c'");
  const entity = fc.record(
    {
      selector: sel,
      notSelector: sel,
      nets: fc.constantFrom(["10.0.0.0/30"], ["172.16.0.0/16"], ["0.0.0.0/0"]),
      notNets: fc.constantFrom(["10.0.0.0/31"], ["172.16.0.1/32"]),
      ports: fc.constantFrom([80], ["2000:2010"], ["metrics"], [53, 80]),
    },
    { requiredKeys: [] },
  );
  const rule: fc.Arbitrary<Rule> = fc.record(
    { action: fc.constantFrom("Allow", "Deny", "Pass", "Log" as const), protocol: fc.constantFrom("TCP", "UDP"), source: entity, destination: entity },
    { requiredKeys: ["action"] },
  ) as fc.Arbitrary<Rule>;
  const policy = fc.record({
    tier: fc.constantFrom("t1", "t2", "default"),
    order: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    selector: sel,
    namespaced: fc.boolean(),
    types: fc.option(fc.subarray(["Ingress", "Egress"] as ("Ingress" | "Egress")[], { minLength: 1 }), { nil: undefined }),
    ingress: fc.array(rule, { maxLength: 3 }),
    egress: fc.array(rule, { maxLength: 3 }),
  });
  const endpoint = fc.record({
    app: fc.constantFrom("a", "b", "c", undefined),
    role: fc.option(fc.constant("x"), { nil: undefined }),
    ns: fc.constantFrom("ns1", "ns2"),
    named: fc.boolean(),
  });

  it("the precomputed matrix agrees with the naive evaluator on random policy sets", () => {
    fc.assert(
      fc.property(
        fc.array(endpoint, { minLength: 1, maxLength: 5 }),
        fc.array(policy, { maxLength: 6 }),
        fc.constantFrom<"Deny" | "Pass">("Deny", "Pass"),
        fc.constantFrom<"Allow" | "Deny">("Allow", "Deny"),
        (eps, pols, t2Default, profileAction) => {
          const resources: CalicoResource[] = [tier("t1", 10), tier("t2", 20, t2Default)];
          eps.forEach((e, i) => {
            const labels: Record<string, string> = {};
            if (e.app) labels.app = e.app;
            if (e.role) labels.role = e.role;
            resources.push(wep(`e${i}`, `10.0.0.${i + 1}`, labels, e.ns, e.named ? [{ name: "metrics", port: 80 }] : undefined));
          });
          pols.forEach((p, i) => {
            const name = `${p.tier}.p${i}`;
            const spec: PolicySpec = {
              tier: p.tier,
              selector: p.selector,
              ...(p.order !== undefined ? { order: p.order } : {}),
              ...(p.types ? { types: p.types } : {}),
              ingress: p.ingress,
              egress: p.egress,
            };
            resources.push(p.namespaced ? np("ns1", name, spec) : gnp(name, spec));
          });
          const externals: ExternalPeer[] = [
            { id: "x1", ip: "172.16.0.1", role: "agent" },
            { id: "x2", ip: "8.8.8.8", role: "internet" },
          ];
          const model = compilePolicies(resources);
          const set = collectEndpoints(resources, externals);
          const matrix = computeReachabilityCompiled(model, set, probes, profileAction);
          for (const { src, dst, probe } of matrix.cells()) {
            const naive = evaluatePairNaive(model, set, src, dst, probes[probe]!, profileAction);
            expect(matrix.verdict(src, dst, probe)).toEqual(naive);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
