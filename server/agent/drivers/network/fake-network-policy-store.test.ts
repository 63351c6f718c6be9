import { describe, expect, it } from "vitest";
import { AppError } from "../../../errors";
import { renderPolicy } from "../../../domain/network/render-policy";
import { demoTenancy } from "../../../domain/network/sample-tenancy";
import { realFixture } from "../../../../test/fixtures";
import { crdValidator, loadCalicoSchemas } from "./calico-crds";
import { FakeNetworkPolicyStore } from "./fake-network-policy-store";
import { networkPolicyStoreContract } from "./network-policy-store.contract";
import type { ResourceValidator } from "./network-policy-store";

let validator: ResourceValidator | undefined;
const crdGuard = () => (validator ??= crdValidator(loadCalicoSchemas(realFixture("calico", "crd-v3-api"))));

networkPolicyStoreContract(
  "FakeNetworkPolicyStore",
  async ({ validate }) => {
    const store = new FakeNetworkPolicyStore({ validate });
    return { store, tamper: store.tamper, cleanup: () => store.close() };
  },
  crdGuard,
);

describe("FakeNetworkPolicyStore extras", () => {
  it("records calls and fails on demand, writing nothing", async () => {
    const store = new FakeNetworkPolicyStore();
    const b = renderPolicy(demoTenancy()).sessions[0]!;
    store.failNext("apply", new AppError("CONFLICT", "injected"));
    await expect(store.apply(b)).rejects.toMatchObject({ code: "CONFLICT" });
    expect(await store.list()).toEqual([]);
    await store.apply(b);
    expect(store.calls.map((c) => c.method)).toEqual(["apply", "list", "apply"]);
  });
});
