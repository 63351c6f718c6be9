// One suite every NetworkPolicyStore passes: the in-memory fake (unit project) and EtcdCalicoStore
// against a real etcd (it project). If the fake drifts from the real store, one of them fails here.
import { beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { allObjects, renderPolicy, type RenderedPolicy } from "../../../domain/network/render-policy";
import { demoTenancy } from "../../../domain/network/sample-tenancy";
import { LABEL_SESSION_ID, refOf, type CalicoResource, type GlobalNetworkPolicyResource, type ResourceRef, type WorkloadEndpointResource } from "../../../domain/network/types";
import { ownedView, stableJson, type NetworkPolicyStore, type ResourceValidator } from "./network-policy-store";

export interface StoreHarness {
  store: NetworkPolicyStore;
  /** Edits the datastore behind the store's back, as a person with etcdctl would. */
  tamper: {
    delete(ref: ResourceRef): Promise<void>;
    put(r: CalicoResource): Promise<void>;
    putJunk(ref: ResourceRef, text: string): Promise<void>;
  };
  /** Closes the store and forgets its contents. */
  cleanup(): Promise<void>;
}

export type HarnessFactory = (opts: { validate?: ResourceValidator }) => Promise<StoreHarness>;

async function expectAppError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, "expected the call to reject").toBeDefined();
  expect(isAppError(err) ? err.code : err).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

/**
 * Registers the contract tests. `validator` is the schema guard the stores get in the validation
 * test (built from Calico's CRDs by the caller).
 */
export function networkPolicyStoreContract(name: string, makeHarness: HarnessFactory, validator: () => ResourceValidator): void {
  describe(`${name} (NetworkPolicyStore contract)`, () => {
    let rendered: RenderedPolicy;
    beforeAll(() => {
      rendered = renderPolicy(demoTenancy());
    });
    const bundle = (i: number) => rendered.sessions[i]!;

    async function withStore(fn: (h: StoreHarness) => Promise<void>, opts: { validate?: ResourceValidator } = {}): Promise<void> {
      const h = await makeHarness(opts);
      try {
        await fn(h);
      } finally {
        await h.cleanup();
      }
    }

    it("applies a session and reads back exactly what was rendered, stamped like calicoctl", () =>
      withStore(async ({ store }) => {
        const b = bundle(0);
        const res = await store.apply(b);
        expect(res.created.length).toBe(b.shared.length + b.owned.length);
        expect(res.updated).toEqual([]);
        const listed = await store.list();
        const expected = [...b.shared, ...b.owned];
        expect(listed.map((r) => refOf(r))).toEqual(
          expect.arrayContaining(expected.map((r) => refOf(r))),
        );
        expect(listed).toHaveLength(expected.length);
        for (const r of expected) {
          const got = await store.get(r.kind, r.metadata.name, r.metadata.namespace);
          expect(got, `${r.kind} ${r.metadata.name}`).not.toBeNull();
          expect(stableJson(ownedView(got!))).toBe(stableJson(ownedView(r)));
          expect(got!.spec).toEqual(r.spec);
          expect(got!.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
          expect(Date.parse(got!.metadata.creationTimestamp!)).not.toBeNaN();
        }
        expect((await store.diff(expected)).inSync).toBe(true);
      }));

    it("is idempotent: a second apply writes nothing", () =>
      withStore(async ({ store }) => {
        await store.apply(bundle(1));
        const before = await store.get("GlobalNetworkPolicy", bundle(1).owned[0]!.metadata.name);
        const again = await store.apply(bundle(1));
        expect(again.created).toEqual([]);
        expect(again.updated).toEqual([]);
        expect(again.unchanged).toBe(bundle(1).shared.length + bundle(1).owned.length);
        const after = await store.get("GlobalNetworkPolicy", bundle(1).owned[0]!.metadata.name);
        expect(after!.metadata.uid).toBe(before!.metadata.uid);
      }));

    it("shares tiers and admin policies between sessions and removes only the session's own objects", () =>
      withStore(async ({ store }) => {
        await store.apply(bundle(0));
        const second = await store.apply(bundle(1));
        expect(second.created.map((r) => r.name).sort()).toEqual(bundle(1).owned.map((r) => r.metadata.name).sort());
        const removed = await store.remove(bundle(0).sessionId);
        expect(removed.removed.map((r) => r.name).sort()).toEqual(bundle(0).owned.map((r) => r.metadata.name).sort());
        const left = (await store.list()).map((r) => r.metadata.name);
        for (const r of bundle(0).shared) expect(left).toContain(r.metadata.name);
        for (const r of bundle(1).owned) expect(left).toContain(r.metadata.name);
        for (const r of bundle(0).owned) expect(left).not.toContain(r.metadata.name);
        expect((await store.remove(bundle(0).sessionId)).removed).toEqual([]);
        expect((await store.remove("no-such-session")).removed).toEqual([]);
      }));

    it("keeps what Calico CNI wrote on an existing WorkloadEndpoint and adds only Hypercell's labels", () =>
      withStore(async ({ store, tamper }) => {
        const b = bundle(0);
        const wep = b.owned.find((r): r is WorkloadEndpointResource => r.kind === "WorkloadEndpoint")!;
        await tamper.put({
          ...wep,
          metadata: { name: wep.metadata.name, namespace: wep.metadata.namespace, labels: { "projectcalico.org/orchestrator": "cni", "cni.example/extra": "kept" } },
          spec: { ...wep.spec, interfaceName: "cali1234567890a", mac: "ee:ee:ee:ee:ee:ee", ipNetworks: ["10.244.1.10/32"] },
        });
        const res = await store.apply(b);
        expect(res.updated).toContainEqual(refOf(wep));
        const got = (await store.get("WorkloadEndpoint", wep.metadata.name, wep.metadata.namespace)) as WorkloadEndpointResource;
        expect(got.spec.interfaceName).toBe("cali1234567890a");
        expect(got.spec.mac).toBe("ee:ee:ee:ee:ee:ee");
        expect(got.metadata.labels?.["cni.example/extra"]).toBe("kept");
        expect(got.metadata.labels?.[LABEL_SESSION_ID]).toBe(b.sessionId);
        expect((await store.diff([...b.shared, ...b.owned])).inSync).toBe(true);
      }));

    it("reports a key deleted by hand as missing, and apply repairs it", () =>
      withStore(async ({ store, tamper }) => {
        const b = bundle(2);
        const expected = [...b.shared, ...b.owned];
        await store.apply(b);
        const victim = b.owned.find((r) => r.kind === "GlobalNetworkPolicy")!;
        await tamper.delete(refOf(victim));
        const drift = await store.diff(expected);
        expect(drift.inSync).toBe(false);
        expect(drift.missing).toEqual([refOf(victim)]);
        expect(drift.extra).toEqual([]);
        expect(drift.changed).toEqual([]);
        const res = await store.apply(b);
        expect(res.created).toEqual([refOf(victim)]);
        expect((await store.diff(expected)).inSync).toBe(true);
      }));

    it("reports edited, extra and unreadable objects, and repair puts everything back", () =>
      withStore(async ({ store, tamper }) => {
        const expected = allObjects(rendered);
        for (const b of rendered.sessions) await store.apply(b);
        expect((await store.diff(expected)).inSync).toBe(true);
        // Someone turns the inter-session deny into an allow…
        const deny = expected.find((r): r is GlobalNetworkPolicyResource => r.metadata.name.endsWith("default-deny-inter-session"))!;
        await tamper.put({ ...deny, spec: { ...deny.spec, ingress: [{ action: "Allow" }] } });
        // …leaves a policy of a session that no longer exists…
        const stray = { ...(rendered.sessions[0]!.owned[0] as GlobalNetworkPolicyResource) };
        stray.metadata = { ...stray.metadata, name: "hypercell-admin.allow-intra-session-gone", labels: { ...stray.metadata.labels, "hypercell.io/session-id": "gone" } };
        await tamper.put(stray);
        // …and writes junk over an expected key.
        const junked = rendered.sessions[1]!.owned.find((r) => r.kind === "WorkloadEndpoint")!;
        await tamper.putJunk(refOf(junked), "{not json");
        const drift = await store.diff(expected);
        expect(drift.changed.map((c) => c.ref)).toEqual([refOf(deny)]);
        expect(drift.changed[0]!.fields).toEqual(["spec.ingress"]);
        expect(drift.extra).toEqual([refOf(stray)]);
        expect(drift.missing).toEqual([refOf(junked)]);
        expect(drift.unreadable).toHaveLength(1);
        expect(drift.unreadable[0]!.key).toContain(junked.metadata.name);
        const repaired = await store.repair(expected);
        expect(repaired.deleted).toEqual([refOf(stray)]);
        expect(repaired.written).toEqual(expect.arrayContaining([refOf(deny), refOf(junked)]));
        expect((await store.diff(expected)).inSync).toBe(true);
      }));

    it("refuses an object that fails Calico's schema and writes nothing", () =>
      withStore(
        async ({ store }) => {
          const b = bundle(0);
          const bad = { ...(b.owned[0] as GlobalNetworkPolicyResource) };
          bad.spec = { ...bad.spec, ingress: [{ action: "Alow" as never }] };
          await expectAppError(store.apply({ ...b, owned: [bad, ...b.owned.slice(1)] }), "BAD_INPUT", /spec\/ingress\/0\/action/);
          expect(await store.list()).toEqual([]);
        },
        { validate: validator() },
      ));

    it("refuses a bundle whose owned objects belong to another session", () =>
      withStore(async ({ store }) => {
        await expectAppError(store.apply({ ...bundle(0), owned: bundle(1).owned }), "BAD_INPUT", /labelled for/);
        expect(await store.list()).toEqual([]);
      }));

    it("answers null for an absent object and BAD_INPUT for an unknown kind", () =>
      withStore(async ({ store }) => {
        expect(await store.get("GlobalNetworkPolicy", "hypercell-admin.nothing")).toBeNull();
        await expectAppError(store.get("Pod" as never, "x"), "BAD_INPUT", /unknown kind/);
      }));

    it("rejects calls after close", async () => {
      const h = await makeHarness({});
      await h.store.close();
      await expectAppError(h.store.list(), "INTERNAL", /closed/);
      await h.cleanup();
    });
  });
}
