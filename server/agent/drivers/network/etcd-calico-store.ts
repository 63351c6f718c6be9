// NetworkPolicyStore over Calico's standalone etcd v3 datastore, with the `etcd3` client.
//
// Every write is one etcd transaction guarded by the mod revisions read just before: a session's
// policy and its endpoints' labels change together or not at all, and a concurrent writer makes the
// transaction fail and the whole read-merge-write retry, instead of one side's change being lost.
// Reads of many keys go through read-only transactions too, so a diff sees one revision.
import { randomUUID } from "node:crypto";
import { Etcd3, type IOptions } from "etcd3";
import { AppError } from "../../../errors";
import type { SessionBundle } from "../../../domain/network/render-policy";
import { sortResources } from "../../../domain/network/render-policy";
import { CALICO_KINDS, refOf, refString, type CalicoKind, type CalicoResource, type ResourceRef } from "../../../domain/network/types";
import { etcdKey, etcdKindPrefix, parseEtcdKey } from "./calico-keys";
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

export interface EtcdCalicoStoreOptions {
  /** etcd client URLs, e.g. ["http://127.0.0.1:2379"] (Calico's `etcdEndpoints`). */
  endpoints: string[];
  /** TLS / auth as etcd3 takes them (production clusters). */
  credentials?: IOptions["credentials"];
  auth?: IOptions["auth"];
  /** Schema guard run before every write (calico-crds.ts builds one from Calico's CRDs). */
  validate?: ResourceValidator;
  /** Deadline per etcd call, ms (default 5000). */
  timeoutMs?: number;
  /** Retries of a transaction that lost a race (default 5). */
  maxRetries?: number;
  /** etcd's --max-txn-ops (default 128): the most compares or operations in one transaction. */
  maxTxnOps?: number;
  /** Keys per page when listing (keeps responses under gRPC's 4 MiB default). */
  pageSize?: number;
  now?: () => Date;
  /** Test seam: awaited after the read and before the transaction, to stage a concurrent writer. */
  beforeCommit?: (attempt: number) => Promise<void>;
}

interface Stored {
  key: string;
  modRevision: string;
  /** The parsed resource, or undefined when the value is not one (junk written by hand). */
  resource?: CalicoResource;
  parseError?: string;
}

type TxnOp = { request_put: { key: Buffer; value: Buffer } } | { request_delete_range: { key: Buffer } };

const UNAVAILABLE = /unavailable|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|deadline|timed? ?out|No connection|circuit|connect/i;

function parseValue(key: string, value: Buffer | undefined): Pick<Stored, "resource" | "parseError"> {
  if (!value) return { parseError: "empty value" };
  try {
    const v = JSON.parse(value.toString("utf8")) as Partial<CalicoResource>;
    const ref = parseEtcdKey(key);
    if (!v || typeof v !== "object" || typeof v.kind !== "string" || !v.metadata || typeof v.metadata.name !== "string") {
      return { parseError: "value is JSON but not a Calico resource (kind/metadata.name missing)" };
    }
    if (ref && (v.kind !== ref.kind || v.metadata.name !== ref.name)) {
      return { parseError: `value is a ${v.kind} named ${v.metadata.name}, but the key says ${ref.kind} ${ref.name}` };
    }
    // Calico fills the namespace from the key; so do we, for values written without it.
    if (ref?.namespace && !v.metadata.namespace) v.metadata.namespace = ref.namespace;
    return { resource: v as CalicoResource };
  } catch (e) {
    return { parseError: `value is not JSON: ${(e as Error).message}` };
  }
}

function rangeEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  // The smallest key greater than every key with this prefix: bump the last byte.
  const end = Buffer.from(b);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]! += 1;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

export class EtcdCalicoStore implements NetworkPolicyStore {
  private readonly client: Etcd3;
  private readonly opts: Required<Pick<EtcdCalicoStoreOptions, "timeoutMs" | "maxRetries" | "maxTxnOps" | "pageSize">> & EtcdCalicoStoreOptions;
  private closed = false;

  constructor(options: EtcdCalicoStoreOptions) {
    if (options.endpoints.length === 0) throw new AppError("CONFIG_INVALID", "EtcdCalicoStore needs at least one etcd endpoint");
    this.opts = { timeoutMs: 5000, maxRetries: 5, maxTxnOps: 128, pageSize: 500, ...options };
    const timeout = this.opts.timeoutMs;
    this.client = new Etcd3({
      hosts: options.endpoints,
      credentials: options.credentials,
      auth: options.auth,
      dialTimeout: timeout,
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + timeout }),
    });
  }

  private where(): string {
    return `etcd at ${this.opts.endpoints.join(", ")}`;
  }

  /** Runs an etcd call and turns its failure into an AppError that says what and where. */
  private async call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new AppError("INTERNAL", `network policy store is closed (${what})`);
    try {
      return await fn();
    } catch (e) {
      if (e instanceof AppError) throw e;
      const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      if (/too many operations in txn/i.test(msg)) {
        throw new AppError("BAD_INPUT", `${what}: the transaction exceeds the ${this.where()} limit on operations per transaction (--max-txn-ops); ${msg}`);
      }
      if (/request is too large|larger than max/i.test(msg)) throw new AppError("BAD_INPUT", `${what}: the request is too large for ${this.where()}; ${msg}`);
      if (/permission denied|authentication|auth/i.test(msg)) throw new AppError("INTERNAL", `${what}: ${this.where()} refused the credentials: ${msg}`, { reason: "DATASTORE_FORBIDDEN" });
      if (UNAVAILABLE.test(msg)) {
        throw new AppError("INTERNAL", `Calico datastore unreachable: ${what} failed, ${this.where()} did not answer within ${this.opts.timeoutMs} ms (${msg})`, {
          reason: "DATASTORE_UNAVAILABLE",
        });
      }
      throw new AppError("INTERNAL", `${what}: ${this.where()} failed: ${msg}`, { reason: "DATASTORE_ERROR" });
    }
  }

  /** Reads keys in read-only transactions of at most maxTxnOps ranges each. */
  private async readKeys(keys: readonly string[]): Promise<Map<string, Stored | undefined>> {
    const out = new Map<string, Stored | undefined>();
    for (let i = 0; i < keys.length; i += this.opts.maxTxnOps) {
      const chunk = keys.slice(i, i + this.opts.maxTxnOps);
      const res = await this.call("read", () =>
        this.client.kv.txn({ compare: [], success: chunk.map((k) => ({ request_range: { key: Buffer.from(k) } })), failure: [] }),
      );
      chunk.forEach((k, j) => {
        const kv = res.responses[j]?.response_range.kvs[0];
        out.set(k, kv ? { key: k, modRevision: String(kv.mod_revision), ...parseValue(k, kv.value) } : undefined);
      });
    }
    return out;
  }

  /** Every key under the prefixes, paginated but pinned to the first page's revision (one snapshot). */
  private async readPrefixes(prefixes: readonly string[]): Promise<Stored[]> {
    const out: Stored[] = [];
    let revision: string | undefined;
    for (const prefix of prefixes) {
      let from = Buffer.from(prefix);
      const end = rangeEnd(prefix);
      for (;;) {
        const res = await this.call(`list ${prefix}`, () =>
          this.client.kv.range({ key: from, range_end: end, limit: this.opts.pageSize, ...(revision ? { revision } : {}) }),
        );
        revision ??= String(res.header.revision);
        for (const kv of res.kvs) {
          const key = kv.key.toString("utf8");
          out.push({ key, modRevision: String(kv.mod_revision), ...parseValue(key, kv.value) });
        }
        if (!res.more || res.kvs.length === 0) break;
        from = Buffer.concat([res.kvs[res.kvs.length - 1]!.key, Buffer.from([0])]);
      }
    }
    return out;
  }

  private managedPrefixes(kinds: readonly CalicoKind[] = CALICO_KINDS): string[] {
    return kinds.map(etcdKindPrefix);
  }

  /** One transaction: every compare must still hold (mod revision as read; 0 = absent), then all ops. */
  private async commit(what: string, compares: { key: string; modRevision: string }[], ops: TxnOp[]): Promise<boolean> {
    if (compares.length > this.opts.maxTxnOps || ops.length > this.opts.maxTxnOps) {
      throw new AppError("BAD_INPUT", `${what}: ${Math.max(compares.length, ops.length)} objects do not fit one etcd transaction (limit ${this.opts.maxTxnOps})`);
    }
    const res = await this.call(what, () =>
      this.client.kv.txn({
        compare: compares.map((c) => ({ key: Buffer.from(c.key), target: "Mod", result: "Equal", mod_revision: c.modRevision })),
        success: ops,
        failure: [],
      }),
    );
    return res.succeeded;
  }

  private stamp = () => ({ uid: randomUUID(), creationTimestamp: (this.opts.now?.() ?? new Date()).toISOString() });

  private async backoff(attempt: number): Promise<void> {
    await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * (0.5 + Math.random())));
  }

  private conflict(what: string): AppError {
    return new AppError("CONFLICT", `${what}: other writers kept changing the same Calico keys in ${this.where()}; gave up after ${this.opts.maxRetries + 1} attempts, nothing written`);
  }

  /** Plans writes for desired objects against what is stored; returns ops and the refs they touch. */
  private plan(desired: readonly CalicoResource[], stored: Map<string, Stored | undefined>) {
    const created: ResourceRef[] = [];
    const updated: ResourceRef[] = [];
    const ops: TxnOp[] = [];
    let unchanged = 0;
    for (const d of desired) {
      const key = etcdKey(normalizeRef(refOf(d)));
      const cur = stored.get(key);
      const next = mergeForWrite(d, cur?.resource, this.stamp);
      if (cur?.resource && stableJson(cur.resource) === stableJson(next)) {
        unchanged++;
        continue;
      }
      (cur ? updated : created).push(refOf(d));
      ops.push({ request_put: { key: Buffer.from(key), value: Buffer.from(JSON.stringify(next)) } });
    }
    return { created, updated, unchanged, ops };
  }

  async apply(bundle: SessionBundle): Promise<ApplyResult> {
    if (this.closed) throw new AppError("INTERNAL", "network policy store is closed (apply)");
    checkBundle(bundle);
    const desired = [...bundle.shared, ...bundle.owned];
    this.opts.validate?.(desired);
    const keys = desired.map((d) => etcdKey(normalizeRef(refOf(d))));
    if (new Set(keys).size !== keys.length) throw new AppError("BAD_INPUT", `the bundle of session ${bundle.sessionId} lists an object twice`);
    if (keys.length > this.opts.maxTxnOps) {
      throw new AppError("BAD_INPUT", `session ${bundle.sessionId} has ${keys.length} objects; one etcd transaction holds at most ${this.opts.maxTxnOps}`);
    }
    const what = `apply policy of session ${bundle.sessionId}`;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      const stored = await this.readKeys(keys);
      const p = this.plan(desired, stored);
      await this.opts.beforeCommit?.(attempt);
      if (p.ops.length === 0) return { sessionId: bundle.sessionId, created: [], updated: [], unchanged: p.unchanged };
      const compares = keys.map((k) => ({ key: k, modRevision: stored.get(k)?.modRevision ?? "0" }));
      if (await this.commit(what, compares, p.ops)) return { sessionId: bundle.sessionId, created: p.created, updated: p.updated, unchanged: p.unchanged };
      await this.backoff(attempt);
    }
    throw this.conflict(what);
  }

  async remove(sessionId: string): Promise<RemoveResult> {
    const what = `remove policy of session ${sessionId}`;
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      // Owned objects are a session's GlobalNetworkPolicy and WorkloadEndpoints; found by label, not
      // by guessing names, so endpoints on any host are found.
      const stored = await this.readPrefixes(this.managedPrefixes(["GlobalNetworkPolicy", "NetworkPolicy", "WorkloadEndpoint"]));
      const mine = stored.filter((s) => s.resource && isManaged(s.resource) && ownerSession(s.resource) === sessionId);
      await this.opts.beforeCommit?.(attempt);
      if (mine.length === 0) return { sessionId, removed: [] };
      const ok = await this.commit(
        what,
        mine.map((s) => ({ key: s.key, modRevision: s.modRevision })),
        mine.map((s) => ({ request_delete_range: { key: Buffer.from(s.key) } })),
      );
      if (ok) return { sessionId, removed: sortRefs(mine.map((s) => refOf(s.resource!))) };
      await this.backoff(attempt);
    }
    throw this.conflict(what);
  }

  async list(): Promise<CalicoResource[]> {
    const stored = await this.readPrefixes(this.managedPrefixes());
    return sortResources(stored.flatMap((s) => (s.resource && isManaged(s.resource) ? [s.resource] : [])));
  }

  async get(kind: CalicoKind, name: string, namespace?: string): Promise<CalicoResource | null> {
    assertKnownKind(kind);
    const key = etcdKey(normalizeRef({ kind, name, namespace }));
    const s = (await this.readKeys([key])).get(key);
    if (!s) return null;
    if (!s.resource) throw new AppError("INTERNAL", `${refString({ kind, name, namespace })}: the value at ${key} in ${this.where()} is unreadable: ${s.parseError}`);
    return s.resource;
  }

  private async snapshot(): Promise<{ found: CalicoResource[]; unreadable: DriftReport["unreadable"]; byKey: Map<string, Stored> }> {
    const stored = await this.readPrefixes(this.managedPrefixes());
    const found: CalicoResource[] = [];
    const unreadable: DriftReport["unreadable"] = [];
    const byKey = new Map<string, Stored>();
    for (const s of stored) {
      byKey.set(s.key, s);
      if (s.resource) found.push(s.resource);
      else unreadable.push({ key: s.key, error: s.parseError ?? "unreadable" });
    }
    return { found, unreadable, byKey };
  }

  async diff(expected: readonly CalicoResource[]): Promise<DriftReport> {
    const { found, unreadable } = await this.snapshot();
    // Junk at a key Hypercell expects to own is drift; junk elsewhere may be anyone's, but is still reported.
    return computeDrift(expected, found, unreadable);
  }

  async repair(expected: readonly CalicoResource[]): Promise<RepairResult> {
    this.opts.validate?.(expected);
    const byRef = new Map(expected.map((r) => [refKey(refOf(r)), r]));
    for (let attempt = 0; attempt <= this.opts.maxRetries; attempt++) {
      const { found, unreadable, byKey } = await this.snapshot();
      const drift = computeDrift(expected, found);
      // Junk at an expected key counts as missing: overwrite it.
      const junkAtExpected = unreadable
        .map((u) => parseEtcdKey(u.key))
        .filter((ref): ref is ResourceRef => ref !== null && byRef.has(refKey(ref)));
      // Junk at an expected key is also "missing" (it did not parse): one write per key.
      const toWrite = new Map([...drift.missing, ...junkAtExpected, ...drift.changed.map((c) => c.ref)].map((ref) => [refKey(ref), ref]));
      const writes = [...toWrite.keys()].map((k) => ({ resource: byRef.get(k)! }));
      const deletes = drift.extra.map((ref) => ({ resource: found.find((f) => refKey(refOf(f)) === refKey(ref))! }));
      await this.opts.beforeCommit?.(attempt);
      const written: ResourceRef[] = [];
      let lost = false;
      // Each session's objects (and the shared ones) in their own transaction, so a partial repair
      // never leaves a session half-written.
      for (const group of groupBySession([...writes.map((w) => ({ ...w, op: "put" as const })), ...deletes.map((d) => ({ ...d, op: "delete" as const }))])) {
        const keys = group.map((g) => etcdKey(normalizeRef(refOf(g.resource))));
        const stored = new Map(keys.map((k) => [k, byKey.get(k)]));
        const puts = this.plan(
          group.filter((g) => g.op === "put").map((g) => g.resource),
          stored,
        );
        const dels: TxnOp[] = group.filter((g) => g.op === "delete").map((g) => ({ request_delete_range: { key: Buffer.from(etcdKey(normalizeRef(refOf(g.resource)))) } }));
        const ops = [...puts.ops, ...dels];
        if (ops.length === 0) continue;
        for (let i = 0; i < keys.length; i += this.opts.maxTxnOps) {
          // Groups larger than one transaction (many shared objects) are split; each part is still all-or-nothing.
          const partKeys = keys.slice(i, i + this.opts.maxTxnOps);
          const partOps = ops.filter((o) => partKeys.includes(("request_put" in o ? o.request_put.key : o.request_delete_range.key).toString("utf8")));
          if (partOps.length === 0) continue;
          const ok = await this.commit(
            "repair",
            partKeys.map((k) => ({ key: k, modRevision: stored.get(k)?.modRevision ?? "0" })),
            partOps,
          );
          if (!ok) {
            lost = true;
            break;
          }
        }
        if (lost) break;
        written.push(...puts.created, ...puts.updated);
      }
      if (!lost) return { written: sortRefs(written), deleted: drift.extra };
      await this.backoff(attempt);
    }
    throw this.conflict("repair");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.client.close();
  }

  // ---- for tests and the benchmark's baseline ----

  /** The underlying etcd3 client (tests tamper with keys by hand through it). */
  get raw(): Etcd3 {
    return this.client;
  }
}
