import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { realFixture } from "../../../test/fixtures";
import { compileCalicoSchemas, type CalicoSchemaSet } from "./calico-schema";
import {
  ADMIN_TIER,
  PROJECT_TIER,
  allObjects,
  dnsSafe,
  policyNames,
  renderPolicy,
  renderSessionBundle,
  toYaml,
  workloadEndpointName,
} from "./render-policy";
import { demoTenancy, syntheticTenancy } from "./sample-tenancy";
import { parseSelector } from "./selector";
import { DEFAULT_CONTROL_PORTS, isPolicy, type CalicoResource, type Tenancy, type TenancyInput } from "./types";

const crdKinds = ["globalnetworkpolicies", "networkpolicies", "tiers"];
let v3: CalicoSchemaSet;
let libcalico: CalicoSchemaSet;

beforeAll(() => {
  v3 = compileCalicoSchemas(crdKinds.map((k) => readFileSync(realFixture("calico", "crd-v3-api", `projectcalico.org_${k}.yaml`), "utf8")));
  libcalico = compileCalicoSchemas(crdKinds.map((k) => readFileSync(realFixture("calico", "crd-libcalico-go", `crd.projectcalico.org_${k}.yaml`), "utf8")));
});

/** Corner cases: no agents, no storage, a UDP rule without ports, a project id that is no DNS label. */
function edgeTenancy(): TenancyInput {
  return {
    sessions: [
      { id: "solo", projectId: "Team_A.1", resourceGroup: "cpu", members: [{ kernelId: "k0", clusterRole: "main", host: "h.example.org" }] },
      { id: "pair", projectId: "Team_A.1", resourceGroup: "cpu", members: [{ kernelId: "k1", clusterRole: "main", host: "h", ip: "10.0.0.1" }, { kernelId: "k2", clusterRole: "sub", host: "h", ip: "10.0.0.2" }] },
    ],
    projectEgress: { "Team_A.1": [{ cidr: "0.0.0.0/0", protocol: "UDP" }, { cidr: "10.9.0.0/16", ports: [22, 22, 443] }, { cidr: "10.8.0.0/16", ports: [443, 22] }] },
    controlPlane: { agents: [], controllers: [], ports: DEFAULT_CONTROL_PORTS },
  };
}

const tenancies: [string, () => Tenancy | TenancyInput][] = [
  ["demo", demoTenancy],
  ["synthetic", () => syntheticTenancy({ sessions: 40, hosts: 6, projects: 9, seed: 3 })],
  ["edge cases", edgeTenancy],
];

describe.each(tenancies)("rendering the %s tenancy", (_name, make) => {
  let objects: CalicoResource[];
  beforeAll(() => {
    objects = allObjects(renderPolicy(make()));
  });

  it("validates every object against Calico's v3 CRD schemas", () => {
    for (const o of objects) expect(v3.validate(o), `${o.kind} ${o.metadata.name}`).toEqual([]);
  });

  it("validates every policy and tier against libcalico-go's crd.projectcalico.org schemas too", () => {
    for (const o of objects.filter((x) => x.kind !== "WorkloadEndpoint")) {
      // Same spec schema; those CRDs only differ in the group the objects are served under.
      expect(libcalico.validate(o), `${o.kind} ${o.metadata.name}`).toEqual([]);
    }
  });

  it("puts each policy in a tier it names, prefixed and labelled as libcalico-go stores it", () => {
    for (const o of objects.filter(isPolicy)) {
      expect([ADMIN_TIER, PROJECT_TIER]).toContain(o.spec.tier);
      expect(o.metadata.name.startsWith(`${o.spec.tier}.`)).toBe(true);
      expect(o.metadata.labels?.["projectcalico.org/tier"]).toBe(o.spec.tier);
      expect(o.metadata.labels?.["hypercell.io/managed-by"]).toBe("hypercell");
      expect(typeof o.spec.order).toBe("number");
    }
  });

  it("writes selectors Calico can parse", () => {
    for (const o of objects.filter(isPolicy)) {
      if (o.spec.selector) parseSelector(o.spec.selector);
      for (const r of [...(o.spec.ingress ?? []), ...(o.spec.egress ?? [])]) {
        for (const e of [r.source, r.destination]) if (e?.selector) parseSelector(e.selector);
      }
    }
  });

  it("is deterministic, whatever order the tenancy lists things in", () => {
    const t = JSON.parse(JSON.stringify(make())) as Tenancy;
    t.sessions.reverse();
    for (const s of t.sessions) s.members.reverse();
    expect(JSON.stringify(allObjects(renderPolicy(t)))).toBe(JSON.stringify(objects));
    expect(JSON.stringify(allObjects(renderPolicy(make())))).toBe(JSON.stringify(objects));
  });

  it("round-trips through YAML", () => {
    const docs = parseAllDocuments(toYaml(objects)).map((d) => d.toJSON() as unknown);
    expect(docs).toEqual(objects);
  });
});

describe("policy design", () => {
  it("orders the admin tier before the project tier, both before Calico's default tier", () => {
    const tiers = allObjects(renderPolicy(demoTenancy())).filter((o) => o.kind === "Tier");
    expect(tiers.map((t) => [t.metadata.name, t.spec.order, t.spec.defaultAction])).toEqual([
      [ADMIN_TIER, 100, "Deny"],
      [PROJECT_TIER, 200, "Deny"],
    ]);
  });

  it("renders the BEP's policies with stable names", () => {
    const names = allObjects(renderPolicy(demoTenancy())).filter(isPolicy).map((o) => o.metadata.name);
    expect(names).toEqual([
      "hypercell-admin.allow-control-plane-ingress",
      "hypercell-admin.allow-intra-session-sess-a1",
      "hypercell-admin.allow-intra-session-sess-b2",
      "hypercell-admin.allow-intra-session-sess-c3",
      "hypercell-admin.allow-storage-egress",
      "hypercell-admin.default-deny-inter-session",
      "hypercell-admin.deny-control-plane-egress",
      "hypercell-admin.pass-to-project",
      "hypercell-project.default-deny",
      "hypercell-project.egress-llm",
    ]);
    expect(policyNames.intraSession("x")).toBe("hypercell-admin.allow-intra-session-x");
  });

  it("labels each member's WorkloadEndpoint as the BEP says, plus the project", () => {
    const b = renderSessionBundle(demoTenancy(), "sess-b2");
    const weps = b.owned.filter((o) => o.kind === "WorkloadEndpoint");
    expect(weps.map((w) => [w.metadata.name, w.metadata.namespace, w.metadata.labels])).toEqual([
      [
        "gpu--node--1-cni-kern--b2--0-eth0",
        "default",
        {
          "ai.backend.session-id": "sess-b2",
          "ai.backend.scaling-group": "gpu-kata",
          "ai.backend.cluster-role": "main",
          "ai.backend.project-id": "vision",
          "projectcalico.org/namespace": "default",
          "projectcalico.org/orchestrator": "cni",
        },
      ],
      [
        "gpu--node--2-cni-kern--b2--1-eth0",
        "default",
        {
          "ai.backend.session-id": "sess-b2",
          "ai.backend.scaling-group": "gpu-kata",
          "ai.backend.cluster-role": "sub",
          "ai.backend.project-id": "vision",
          "projectcalico.org/namespace": "default",
          "projectcalico.org/orchestrator": "cni",
        },
      ],
    ]);
    expect(weps[0]!.spec).toEqual({ node: "gpu-node-1", orchestrator: "cni", containerID: "kern-b2-0", endpoint: "eth0", ipNetworks: ["10.244.1.11/32"] });
  });

  it("allows within a session and denies between sessions in the admin tier", () => {
    const objs = allObjects(renderPolicy(demoTenancy()));
    const intra = objs.find((o) => o.metadata.name === "hypercell-admin.allow-intra-session-sess-a1")!;
    expect(intra.spec).toMatchObject({
      selector: "ai.backend.session-id == 'sess-a1'",
      types: ["Ingress", "Egress"],
      ingress: [{ action: "Allow", source: { selector: "ai.backend.session-id == 'sess-a1'" } }],
      egress: [{ action: "Allow", destination: { selector: "ai.backend.session-id == 'sess-a1'" } }],
    });
    const deny = objs.find((o) => o.metadata.name === "hypercell-admin.default-deny-inter-session")!;
    expect(deny.spec).toMatchObject({
      order: 400,
      selector: "has(ai.backend.session-id)",
      ingress: [{ action: "Deny", source: { selector: "has(ai.backend.session-id)" } }],
      egress: [{ action: "Deny", destination: { selector: "has(ai.backend.session-id)" } }],
    });
    expect((intra.spec as { order: number }).order).toBeLessThan((deny.spec as { order: number }).order);
  });

  it("opens control and scrape ports to the agents only, over TCP", () => {
    const cp = allObjects(renderPolicy(demoTenancy())).find((o) => o.metadata.name === policyNames.controlPlaneIngress)!;
    expect(cp.spec).toMatchObject({
      types: ["Ingress"],
      ingress: [{ action: "Allow", protocol: "TCP", source: { nets: ["172.16.0.11/32", "172.16.0.12/32"] }, destination: { ports: [2000, 2001, 9100, 9400] } }],
    });
  });

  it("merges a project's allow-list into one rule per protocol and port set", () => {
    const objs = allObjects(renderPolicy(edgeTenancy()));
    const egress = objs.find((o) => o.metadata.name.startsWith(`${PROJECT_TIER}.egress-`))!;
    expect(egress.metadata.name).toBe(`${PROJECT_TIER}.egress-${dnsSafe("Team_A.1")}`);
    expect(egress.metadata.name).toMatch(/^hypercell-project\.egress-team-a-1-[0-9a-f]{8}$/);
    expect((egress.spec as { egress: unknown[] }).egress).toMatchObject([
      { action: "Allow", protocol: "TCP", destination: { nets: ["10.8.0.0/16", "10.9.0.0/16"], ports: [22, 443] } },
      { action: "Allow", protocol: "UDP", destination: { nets: ["0.0.0.0/0"] } },
    ]);
    expect(objs.some((o) => o.metadata.name === policyNames.storageEgress)).toBe(false);
  });

  it("gives each session bundle only its own project's allow-list and marks what the session owns", () => {
    const r = renderPolicy(demoTenancy());
    const a1 = r.sessions.find((s) => s.sessionId === "sess-a1")!;
    const c3 = r.sessions.find((s) => s.sessionId === "sess-c3")!;
    expect(a1.shared.some((o) => o.metadata.name === policyNames.projectEgress("llm"))).toBe(false);
    expect(c3.shared.some((o) => o.metadata.name === policyNames.projectEgress("llm"))).toBe(true);
    for (const o of c3.owned) {
      const owner = o.kind === "WorkloadEndpoint" ? o.metadata.labels?.["ai.backend.session-id"] : o.metadata.labels?.["hypercell.io/session-id"];
      expect(owner).toBe("sess-c3");
    }
  });

  it("escapes dashes in WorkloadEndpoint names the way libcalico-go does", () => {
    expect(workloadEndpointName("node-1", "abc-def", "eth0")).toBe("node--1-cni-abc--def-eth0");
    expect(dnsSafe("ok-id")).toBe("ok-id");
    expect(dnsSafe("A_B")).not.toBe(dnsSafe("a-b"));
  });
});

describe("bad tenancy", () => {
  const base = demoTenancy();
  it.each<[string, (t: Tenancy) => void, RegExp]>([
    ["an upper-case session id", (t) => (t.sessions[0]!.id = "Sess"), /sessions\.0\.id: must be a DNS label/],
    ["a session twice", (t) => t.sessions.push({ ...t.sessions[0]! }), /session sess-a1 appears twice/],
    ["a kernel in two sessions", (t) => t.sessions[1]!.members.push({ ...t.sessions[0]!.members[0]!, ip: "10.244.9.9" }), /kernel kern-a1-0 on host gpu-node-1 is listed in sessions sess-a1 and sess-b2/],
    ["one IP on two members", (t) => (t.sessions[1]!.members[0]!.ip = "10.244.1.10"), /IP 10\.244\.1\.10 is given to two members/],
    ["a bad CIDR", (t) => (t.storageNetworks = ["10.0.0.0/40"]), /storageNetworks\.0: must be an IPv4 CIDR/],
    ["a session without members", (t) => (t.sessions[0]!.members = []), /sessions\.0\.members/],
    ["a port out of range", (t) => (t.controlPlane.ports.dcgmExporter = 70000), /controlPlane\.ports\.dcgmExporter/],
  ])("%s is refused with the field named", (_what, mutate, msg) => {
    const t = structuredClone(base);
    mutate(t);
    expect(() => renderPolicy(t)).toThrow(msg);
    try {
      renderPolicy(t);
    } catch (e) {
      expect((e as { code: string }).code).toBe("BAD_INPUT");
    }
  });

  it("says which sessions exist when asked for an unknown one", () => {
    expect(() => renderSessionBundle(base, "nope")).toThrow(/no session nope in the tenancy \(known: sess-a1, sess-b2, sess-c3\)/);
  });
});
