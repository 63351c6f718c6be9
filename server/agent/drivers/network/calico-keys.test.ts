import { describe, expect, it } from "vitest";
import { etcdKey, etcdKindPrefix, parseEtcdKey } from "./calico-keys";

describe("calicoctl etcd key layout", () => {
  it("puts cluster-scoped kinds under <plural>/<name> and namespaced ones under <plural>/<namespace>/<name>", () => {
    expect(etcdKey({ kind: "Tier", name: "hypercell-admin" })).toBe("/calico/resources/v3/projectcalico.org/tiers/hypercell-admin");
    expect(etcdKey({ kind: "GlobalNetworkPolicy", name: "hypercell-admin.default-deny-inter-session" })).toBe(
      "/calico/resources/v3/projectcalico.org/globalnetworkpolicies/hypercell-admin.default-deny-inter-session",
    );
    expect(etcdKey({ kind: "NetworkPolicy", namespace: "team", name: "default.allow-web" })).toBe(
      "/calico/resources/v3/projectcalico.org/networkpolicies/team/default.allow-web",
    );
    expect(etcdKey({ kind: "WorkloadEndpoint", namespace: "default", name: "node1-cni-abc-eth0" })).toBe(
      "/calico/resources/v3/projectcalico.org/workloadendpoints/default/node1-cni-abc-eth0",
    );
    expect(etcdKindPrefix("WorkloadEndpoint")).toBe("/calico/resources/v3/projectcalico.org/workloadendpoints/");
  });

  it("round-trips keys and rejects what does not fit the layout", () => {
    for (const ref of [
      { kind: "Tier" as const, name: "t" },
      { kind: "WorkloadEndpoint" as const, namespace: "default", name: "n-cni-x-eth0" },
    ]) {
      expect(parseEtcdKey(etcdKey(ref))).toEqual(ref);
    }
    expect(parseEtcdKey("/calico/resources/v3/projectcalico.org/ippools/p")).toBeNull();
    expect(parseEtcdKey("/calico/resources/v3/projectcalico.org/workloadendpoints/only-name")).toBeNull();
    expect(() => etcdKey({ kind: "WorkloadEndpoint", name: "x" })).toThrow(/namespace/);
    expect(() => etcdKey({ kind: "Tier", name: "a/b" })).toThrow(/key segment/);
  });
});
