// In-memory NetworkPolicyStore for tests of code that uses a store (the agent, the controller's
// reconcile). Records calls, takes injected errors, and lets a test tamper with the contents the
// way a person with etcdctl would. Held honest by network-policy-store.contract.ts, which
// EtcdCalicoStore passes too.
import { randomUUID } from "node:crypto";
import { AppError } from "../../../errors";
import type { SessionBundle } from "../../../domain/network/render-policy";
import { sortResources } from "../../../domain/network/render-policy";
import { refOf, type CalicoKind, type CalicoResource, type ResourceRef } from "../../../domain/network/types";
import { etcdKey } from "./calico-keys";
import {
  assertKnownKind,
  checkBundle,
  computeDrift,
  groupBySession,
  isManaged,
  mergeForWrite,
  normalizeRef,
  ownerSession,
  refKey,
  sortRefs,
  stableJson,
  type ApplyResult,
  type DriftReport,
  type NetworkPolicyStore,
  type RemoveResult,
  type RepairResult,
  type ResourceValidator,
} from "./network-policy-store";

type Method = "apply" | "remove" | "list" | "get" | "diff" | "repair";

export interface FakeNetworkPolicyStoreOptions {
  /** The schema guard (as for the real store); none by default. */
  validate?: ResourceValidator;
  now?: () => Date;
}

export class FakeNetworkPolicyStore implements NetworkPolicyStore {
  /** Every call in order, with its arguments, for assertions. */
  readonly calls: { method: Method; args: unknown[] }[] = [];
  private readonly objects = new Map<string, CalicoResource>();
  /** Keys holding text that is not a resource (what tamper.putJunk writes). */
  private readonly junk = new Map<string, string>();
  private readonly failures = new Map<Method, AppError[]>();
  private closed = false;
  private readonly validate?: ResourceValidator;
  private readonly now: () => Date;

  constructor(options: FakeNetworkPolicyStoreOptions = {}) {
    this.validate = options.validate;
    this.now = options.now ?? (() => new Date());
  }

  /** The next call of `method` rejects with `err` (queue several to fail several calls). */
  failNext(method: Method, err: AppError): void {
    const q = this.failures.get(method) ?? [];
    q.push(err);
    this.failures.set(method, q);
  }

  /** Test seams standing in for a person editing the datastore by hand. */
  readonly tamper = {
    delete: async (ref: ResourceRef): Promise<void> => {
      this.objects.delete(refKey(ref));
      this.junk.delete(etcdKey(ref));
    },
    put: async (r: CalicoResource): Promise<void> => {
      this.objects.set(refKey(refOf(r)), structuredClone(r));
    },
    putJunk: async (ref: ResourceRef, text: string): Promise<void> => {
      this.objects.delete(refKey(ref));
      this.junk.set(etcdKey(ref), text);
    },
  };

  private enter(method: Method, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.closed) throw new AppError("INTERNAL", "network policy store is closed");
    const err = this.failures.get(method)?.shift();
    if (err) throw err;
  }

  private stamp = () => ({ uid: randomUUID(), creationTimestamp: this.now().toISOString() });

  private writeAll(desired: readonly CalicoResource[]): { created: ResourceRef[]; updated: ResourceRef[]; unchanged: number } {
    const created: ResourceRef[] = [];
    const updated: ResourceRef[] = [];
    let unchanged = 0;
    // Compute everything first, then commit: a throw above leaves the map untouched (atomicity).
    const writes: [string, CalicoResource][] = [];
    for (const d of desired) {
      const k = refKey(refOf(d));
      const existing = this.objects.get(k);
      const next = mergeForWrite(d, existing, this.stamp);
      if (existing && stableJson(existing) === stableJson(next)) {
        unchanged++;
        continue;
      }
      (existing ? updated : created).push(refOf(d));
      writes.push([k, next]);
    }
    for (const [k, v] of writes) {
      this.objects.set(k, structuredClone(v));
      this.junk.delete(etcdKey(refOf(v)));
    }
    return { created, updated, unchanged };
  }

  async apply(bundle: SessionBundle): Promise<ApplyResult> {
    this.enter("apply", [bundle]);
    checkBundle(bundle);
    const all = [...bundle.shared, ...bundle.owned];
    this.validate?.(all);
    return { sessionId: bundle.sessionId, ...this.writeAll(all) };
  }

  async remove(sessionId: string): Promise<RemoveResult> {
    this.enter("remove", [sessionId]);
    const removed: ResourceRef[] = [];
    for (const [k, r] of [...this.objects]) {
      if (isManaged(r) && ownerSession(r) === sessionId) {
        this.objects.delete(k);
        removed.push(refOf(r));
      }
    }
    return { sessionId, removed: sortRefs(removed) };
  }

  async list(): Promise<CalicoResource[]> {
    this.enter("list", []);
    return sortResources([...this.objects.values()].filter(isManaged).map((r) => structuredClone(r)));
  }

  async get(kind: CalicoKind, name: string, namespace?: string): Promise<CalicoResource | null> {
    this.enter("get", [kind, name, namespace]);
    assertKnownKind(kind);
    const r = this.objects.get(refKey(normalizeRef({ kind, name, namespace })));
    return r ? structuredClone(r) : null;
  }

  async diff(expected: readonly CalicoResource[]): Promise<DriftReport> {
    this.enter("diff", [expected]);
    const unreadable = [...this.junk.keys()]
      .sort().map((key) => ({ key, error: "value is not a JSON Calico resource" }));
    return computeDrift(expected, [...this.objects.values()], unreadable);
  }

  async repair(expected: readonly CalicoResource[]): Promise<RepairResult> {
    this.enter("repair", [expected]);
    this.validate?.(expected);
    const drift = computeDrift(expected, [...this.objects.values()]);
    const byKey = new Map(expected.map((r) => [refKey(refOf(r)), r]));
    const toWrite = [...drift.missing, ...drift.changed.map((c) => c.ref)].map((ref) => ({ resource: byKey.get(refKey(ref))! }));
    const written: ResourceRef[] = [];
    for (const group of groupBySession(toWrite)) {
      const r = this.writeAll(group.map((g) => g.resource));
      written.push(...r.created, ...r.updated);
    }
    for (const ref of drift.extra) this.objects.delete(refKey(ref));
    // Junk at an expected key was overwritten above; junk elsewhere may be someone else's and stays.
    return { written, deleted: drift.extra };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

// Compile-time check that the fake still satisfies the interface.
const _check: NetworkPolicyStore = new FakeNetworkPolicyStore();
void _check;
