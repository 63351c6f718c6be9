// EtcdCalicoStore against a real etcd started on loopback for this file. Without the etcd binary
// every test here fails with the message to install Debian's etcd-server package.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realFixture } from "../../../../test/fixtures";
import { renderPolicy, type RenderedPolicy } from "../../../domain/network/render-policy";
import { demoTenancy } from "../../../domain/network/sample-tenancy";
import { refOf, type CalicoResource } from "../../../domain/network/types";
import { crdValidator, loadCalicoSchemas } from "./calico-crds";
import { CALICO_RESOURCE_PREFIX, etcdKey } from "./calico-keys";
import { EtcdCalicoStore, type EtcdCalicoStoreOptions } from "./etcd-calico-store";
import { startEtcdServer, type EtcdServer } from "./etcd-server";
import { networkPolicyStoreContract } from "./network-policy-store.contract";
import type { ResourceValidator } from "./network-policy-store";

let etcd: EtcdServer | undefined;
let validator: ResourceValidator | undefined;
const crdGuard = () => (validator ??= crdValidator(loadCalicoSchemas(realFixture("calico", "crd-v3-api"))));

beforeAll(async () => {
  etcd = await startEtcdServer();
});
afterAll(async () => {
  await etcd?.stop();
});

function endpoint(): string {
  if (!etcd) throw new Error("etcd did not start (see the beforeAll error above)");
  return etcd.endpoint;
}

async function freshStore(opts: Partial<EtcdCalicoStoreOptions> = {}): Promise<EtcdCalicoStore> {
  const store = new EtcdCalicoStore({ endpoints: [endpoint()], ...opts });
  // Every test starts from an empty datastore (the tests of this file run one after another).
  await store.raw.delete().all();
  return store;
}

networkPolicyStoreContract(
  "EtcdCalicoStore",
  async ({ validate }) => {
    const store = await freshStore({ validate });
    const raw = store.raw;
    return {
      store,
      tamper: {
        delete: async (ref) => void (await raw.delete().key(etcdKey(ref))),
        put: async (r) => void (await raw.put(etcdKey(refOf(r))).value(JSON.stringify(r))),
        putJunk: async (ref, text) => void (await raw.put(etcdKey(ref)).value(text)),
      },
      cleanup: async () => {
        await store.close();
      },
    };
  },
  crdGuard,
);

describe("EtcdCalicoStore on a real etcd", () => {
  let rendered: RenderedPolicy;
  beforeAll(() => {
    rendered = renderPolicy(demoTenancy());
  });

  it("writes under calicoctl's key layout, values being the resources' JSON", async () => {
    const store = await freshStore();
    try {
      const b = rendered.sessions[1]!;
      await store.apply(b);
      const kvs = await store.raw.getAll().prefix(CALICO_RESOURCE_PREFIX).strings();
      const expected = [...b.shared, ...b.owned];
      expect(Object.keys(kvs).sort()).toEqual(expected.map((r) => etcdKey(refOf(r))).sort());
      expect(Object.keys(kvs)).toContain("/calico/resources/v3/projectcalico.org/tiers/hypercell-admin");
      expect(Object.keys(kvs)).toContain("/calico/resources/v3/projectcalico.org/globalnetworkpolicies/hypercell-admin.allow-intra-session-sess-b2");
      expect(Object.keys(kvs)).toContain("/calico/resources/v3/projectcalico.org/workloadendpoints/default/gpu--node--2-cni-kern--b2--1-eth0");
      for (const r of expected) {
        const v = JSON.parse(kvs[etcdKey(refOf(r))]!) as CalicoResource;
        expect(v.spec).toEqual(r.spec);
        expect(v.metadata.labels).toEqual(r.metadata.labels);
      }
    } finally {
      await store.close();
    }
  });

  it("writes a session's policy and endpoint labels in one transaction (one revision)", async () => {
    const store = await freshStore();
    try {
      const b = rendered.sessions[1]!;
      await store.apply(b);
      const revs = new Set<string>();
      for (const r of [...b.shared, ...b.owned]) {
        const res = await store.raw.get(etcdKey(refOf(r))).exec();
        revs.add(String(res.kvs[0]!.mod_revision));
      }
      expect(revs.size).toBe(1);
    } finally {
      await store.close();
    }
  });

  it("retries when another writer changes a key between read and commit, keeping both changes", async () => {
    const b = rendered.sessions[0]!;
    const wep = b.owned.find((r) => r.kind === "WorkloadEndpoint")!;
    const attempts: number[] = [];
    const store = await freshStore({
      beforeCommit: async (attempt) => {
        attempts.push(attempt);
        // Calico CNI creating the endpoint at the worst moment.
        if (attempt === 0) await store.raw.put(etcdKey(refOf(wep))).value(JSON.stringify({ ...wep, metadata: { ...wep.metadata, labels: { cni: "yes" } }, spec: { ...wep.spec, interfaceName: "caliabc" } }));
      },
    });
    try {
      await store.apply(b);
      expect(attempts).toEqual([0, 1]);
      const got = await store.get("WorkloadEndpoint", wep.metadata.name, wep.metadata.namespace);
      expect(got!.metadata.labels?.cni).toBe("yes");
      expect((got!.spec as { interfaceName?: string }).interfaceName).toBe("caliabc");
      expect((await store.diff([...b.shared, ...b.owned])).inSync).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("gives up with CONFLICT when the race never ends, having written nothing of the bundle", async () => {
    const b = rendered.sessions[0]!;
    const tier = b.shared[0]!;
    let n = 0;
    const store = await freshStore({
      maxRetries: 2,
      beforeCommit: async () => {
        await store.raw.put(etcdKey(refOf(tier))).value(JSON.stringify({ ...tier, spec: { order: n++ } }));
      },
    });
    try {
      await expect(store.apply(b)).rejects.toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/nothing written/) });
      const keys = Object.keys(await store.raw.getAll().prefix(CALICO_RESOURCE_PREFIX).strings());
      expect(keys).toEqual([etcdKey(refOf(tier))]);
    } finally {
      await store.close();
    }
  });

  it("lists across pages at one revision", async () => {
    const store = await freshStore({ pageSize: 2 });
    try {
      for (const b of rendered.sessions) await store.apply(b);
      const all = await store.list();
      const want = new Set([...rendered.shared, ...rendered.sessions.flatMap((s) => s.owned)].map((r) => r.metadata.name));
      expect(new Set(all.map((r) => r.metadata.name))).toEqual(want);
    } finally {
      await store.close();
    }
  });

  it("refuses a bundle larger than one transaction instead of splitting it", async () => {
    const store = await freshStore({ maxTxnOps: 4 });
    try {
      await expect(store.apply(rendered.sessions[1]!)).rejects.toMatchObject({ code: "BAD_INPUT", message: expect.stringMatching(/at most 4/) });
      expect(await store.list()).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it("says the datastore is unreachable, and where, when etcd does not answer", async () => {
    const store = new EtcdCalicoStore({ endpoints: ["http://127.0.0.1:9"], timeoutMs: 300 });
    try {
      const t0 = Date.now();
      const err = await store.list().catch((e: unknown) => e);
      expect(err).toMatchObject({ code: "INTERNAL", details: { reason: "DATASTORE_UNAVAILABLE" } });
      expect((err as Error).message).toMatch(/unreachable.*127\.0\.0\.1:9/);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      await store.close();
    }
  });
});
