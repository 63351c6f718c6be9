import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { realFixture } from "../../../test/fixtures";
import { assertValidResources, compileCalicoSchemas, type CalicoSchemaSet } from "./calico-schema";
import type { CalicoResource } from "./types";

const kinds = ["globalnetworkpolicies", "networkpolicies", "tiers"];
let v3: CalicoSchemaSet;

beforeAll(() => {
  v3 = compileCalicoSchemas(kinds.map((k) => readFileSync(realFixture("calico", "crd-v3-api", `projectcalico.org_${k}.yaml`), "utf8")));
});

function docs(...parts: string[]): unknown[] {
  return parseAllDocuments(readFileSync(realFixture("calico", "examples", ...parts), "utf8"))
    .map((d) => d.toJSON() as unknown)
    .filter(Boolean);
}

describe("Calico CRD schemas", () => {
  it("compile from the v3 API CRDs (projectcalico.org)", () => {
    expect(v3.groups).toEqual(["projectcalico.org"]);
    expect(v3.kinds).toEqual(["GlobalNetworkPolicy", "NetworkPolicy", "Tier", "WorkloadEndpoint"]);
  });

  it("accept Calico's own example policies and tiers", () => {
    const ours = new Set(["Tier", "GlobalNetworkPolicy", "NetworkPolicy", "WorkloadEndpoint"]);
    const examples = [
      ...docs("seed-resources.yaml"),
      ...docs("app-policy-demo-30-policy.yaml"),
      ...docs("docs-yaml-blocks", "globalnetworkpolicy-1.yaml"),
      ...docs("docs-yaml-blocks", "networkpolicy-1.yaml"),
    ].filter((d) => ours.has((d as { kind: string }).kind));
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const e of examples) expect(v3.validate(e), JSON.stringify(e).slice(0, 80)).toEqual([]);
  });

  it("reject what Calico would reject or silently drop, naming the field", () => {
    const bad = {
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: "Bad_Name" },
      spec: { order: "first", types: ["Sideways"], ingress: [{ action: "Alow", destinaton: { ports: [80] } }, { protocol: "TCP" }] },
    };
    const issues = v3.validate(bad).map((i) => `${i.path} ${i.message}`);
    expect(issues).toEqual(
      expect.arrayContaining([
        "/spec/order must be number",
        expect.stringMatching(/^\/spec\/types\/0 must be one of/),
        expect.stringMatching(/^\/spec\/ingress\/0 unknown field "destinaton"/),
        expect.stringMatching(/^\/spec\/ingress\/0\/action must be one of/),
        expect.stringMatching(/^\/spec\/ingress\/1 must have required property 'action'/),
        expect.stringMatching(/^\/metadata\/name .*DNS subdomain/),
      ]),
    );
    expect(v3.validate({ ...bad, apiVersion: "v1", kind: "Pod" }).map((i) => i.path)).toEqual(["/apiVersion", "/kind"]);
  });

  it("re-check libcalico-go rules the CRD leaves out: CIDRs, selectors, ports need a protocol", () => {
    const gnp = {
      apiVersion: "projectcalico.org/v3",
      kind: "GlobalNetworkPolicy",
      metadata: { name: "x" },
      spec: { selector: "app = 'x'", egress: [{ action: "Allow", destination: { nets: ["10.0.0.0/33"], ports: [80] } }] },
    };
    expect(v3.validate(gnp).map((i) => i.path)).toEqual(["/spec/selector", "/spec/egress/0/destination/nets/0", "/spec/egress/0/protocol"]);
    expect(v3.validate(gnp)[0]!.message).toMatch(/position 4/);
  });

  it("cover WorkloadEndpoint with Hypercell's own schema (Calico publishes no CRD for it)", () => {
    const [doc] = docs("docs-yaml-blocks", "workloadendpoint-1.yaml") as { spec: { containerID: unknown } }[];
    // The docs block leaves the container id unquoted, so YAML reads a number; Calico's field is a string.
    const wep = { ...doc!, spec: { ...doc!.spec, containerID: String(doc!.spec.containerID) } };
    expect(v3.validate(wep)).toEqual([]);
    expect(v3.validate({ ...(wep as object), spec: { nodee: "x" } })[0]?.message).toMatch(/unknown field "nodee"/);
  });

  it("assertValidResources names every bad object", () => {
    const t = { apiVersion: "projectcalico.org/v3", kind: "Tier", metadata: { name: "t" }, spec: { defaultAction: "Allow" } } as unknown as CalicoResource;
    expect(() => assertValidResources(v3, [t])).toThrow(/Tier t: \/spec\/defaultAction/);
  });

  it("refuse text that holds no CRD", () => {
    expect(() => compileCalicoSchemas(["kind: ConfigMap\n"])).toThrow(/no CustomResourceDefinition/);
  });
});
