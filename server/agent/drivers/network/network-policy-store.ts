// Where Calico reads policy from. The agent writes a session's policy and its endpoints' labels
// before the VM starts, removes them after it ends, and compares the store with what it should hold
// (drift). Implementations: EtcdCalicoStore (Calico's standalone etcd v3 datastore) and
// FakeNetworkPolicyStore (in memory, for tests); a Kubernetes-API variant can follow behind the
// same interface. Both are held to network-policy-store.contract.ts.
import { AppError } from "../../../errors";
import type { SessionBundle } from "../../../domain/network/render-policy";
import {
  LABEL_CLUSTER_ROLE,
  LABEL_MANAGED_BY,
  LABEL_OWNER_SESSION,
  LABEL_PROJECT_ID,
  LABEL_SCALING_GROUP,
  LABEL_SESSION_ID,
  MANAGED_BY_VALUE,
  CALICO_KINDS,
  isNamespacedKind,
  refOf,
  refString,
  type CalicoKind,
  type CalicoResource,
  type ResourceRef,
} from "../../../domain/network/types";

export interface ApplyResult {
  sessionId: string;
  created: ResourceRef[];
  updated: ResourceRef[];
  /** Objects already as desired (not rewritten). */
  unchanged: number;
}

export interface RemoveResult {
  sessionId: string;
  removed: ResourceRef[];
}

export interface ChangedObject {
  ref: ResourceRef;
  /** Paths of the fields Hypercell owns that differ, e.g. "spec.ingress", "metadata.labels.ai.backend.session-id". */
  fields: string[];
  expected: CalicoResource;
  actual: CalicoResource;
}

export interface DriftReport {
  /** Expected but absent. */
  missing: ResourceRef[];
  /** Managed by Hypercell, present, but not expected (a leftover of an ended session, a stray edit). */
  extra: ResourceRef[];
  /** Present and expected, but a field Hypercell owns differs. */
  changed: ChangedObject[];
  /** Keys under Calico's prefixes whose value is not a readable resource (hand-written junk). */
  unreadable: { key: string; error: string }[];
  inSync: boolean;
}

export interface RepairResult {
  written: ResourceRef[];
  deleted: ResourceRef[];
}

/**
 * A datastore of Calico resources. All methods reject with AppError:
 *  - INTERNAL (details.reason "DATASTORE_UNAVAILABLE") when the datastore cannot be reached in time;
 *  - BAD_INPUT when given objects fail the schema guard or are malformed;
 *  - CONFLICT when other writers kept changing the same keys through every retry.
 * A rejected call has written nothing.
 */
export interface NetworkPolicyStore {
  /**
   * Writes one session's objects — shared tiers/policies and the session's own policy and endpoint
   * labels — in one transaction: readers see all of them or none. Shared objects are written only
   * when absent or different; an existing WorkloadEndpoint keeps the fields Calico CNI owns and only
   * gets Hypercell's labels. Idempotent. BAD_INPUT when an object fails validation or the bundle
   * exceeds one transaction; CONFLICT after concurrent changes exhaust the retries.
   */
  apply(bundle: SessionBundle): Promise<ApplyResult>;

  /**
   * Deletes the session's own objects (its policy and its WorkloadEndpoints) in one transaction;
   * shared objects stay. Removing an unknown or already-removed session resolves with nothing
   * removed (so crash recovery can call it blindly).
   */
  remove(sessionId: string): Promise<RemoveResult>;

  /** Every object Hypercell manages, in stable order (kind, namespace, name). Foreign objects are left out. */
  list(): Promise<CalicoResource[]>;

  /** One object by kind and name (and namespace for namespaced kinds); null when absent. BAD_INPUT for an unknown kind. */
  get(kind: CalicoKind, name: string, namespace?: string): Promise<CalicoResource | null>;

  /** Compares the store with the expected objects (usually allObjects(renderPolicy(tenancy))); read-only. */
  diff(expected: readonly CalicoResource[]): Promise<DriftReport>;

  /**
   * Makes the store match `expected`: writes missing and changed objects, deletes extra ones, each
   * session's objects in one transaction. What an admin's "re-apply" does. Same errors as apply.
   */
  repair(expected: readonly CalicoResource[]): Promise<RepairResult>;

  /** Releases connections. Further calls reject with INTERNAL. */
  close(): Promise<void>;
}

/** Endpoint labels Hypercell owns on a WorkloadEndpoint; others (set by Calico CNI, by people) are left alone. */
export const OWNED_ENDPOINT_LABELS = [LABEL_SESSION_ID, LABEL_SCALING_GROUP, LABEL_CLUSTER_ROLE, LABEL_PROJECT_ID] as const;

/** Is this an object Hypercell wrote (and so may report as extra or delete)? */
export function isManaged(r: CalicoResource): boolean {
  if (r.kind === "WorkloadEndpoint") return r.metadata.labels?.[LABEL_SESSION_ID] !== undefined;
  return r.metadata.labels?.[LABEL_MANAGED_BY] === MANAGED_BY_VALUE;
}

/** The session that owns an object, or undefined for shared objects. */
export function ownerSession(r: CalicoResource): string | undefined {
  if (r.kind === "WorkloadEndpoint") return r.metadata.labels?.[LABEL_SESSION_ID];
  return r.metadata.labels?.[LABEL_OWNER_SESSION];
}

function pick(labels: Record<string, string> | undefined, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of keys) if (labels?.[k] !== undefined) out[k] = labels[k];
  return out;
}

/** The part of an object Hypercell owns, which drift detection compares. */
export function ownedView(r: CalicoResource): Record<string, unknown> {
  if (r.kind === "WorkloadEndpoint") return { metadata: { labels: pick(r.metadata.labels, OWNED_ENDPOINT_LABELS) } };
  return { metadata: { labels: r.metadata.labels ?? {}, annotations: r.metadata.annotations ?? {} }, spec: r.spec };
}

/** JSON with sorted keys: equal objects give equal strings whatever order their fields were built in. */
export function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(",")}]`;
  if (v && typeof v === "object") {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${stableJson(x)}`).join(",")}}`;
  }
  return JSON.stringify(v);
}

/** Paths where two owned views differ, descending into objects (arrays compare whole). */
export function differingFields(a: unknown, b: unknown, prefix = ""): string[] {
  if (stableJson(a) === stableJson(b)) return [];
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === "object" && !Array.isArray(x);
  if (!isObj(a) || !isObj(b)) return [prefix || "(root)"];
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return keys.flatMap((k) => differingFields(a[k], b[k], prefix ? `${prefix}.${k}` : k));
}

/** Namespaced kinds default to the "default" namespace, as calicoctl does without -n. */
export function normalizeRef(ref: ResourceRef): ResourceRef {
  return isNamespacedKind(ref.kind) ? { kind: ref.kind, name: ref.name, namespace: ref.namespace ?? "default" } : { kind: ref.kind, name: ref.name };
}

const KIND_ORDER: Record<CalicoKind, number> = { Tier: 0, GlobalNetworkPolicy: 1, NetworkPolicy: 2, WorkloadEndpoint: 3 };

/** Stable order for reports: kind, namespace, name. */
export function sortRefs(refs: readonly ResourceRef[]): ResourceRef[] {
  const k = (r: ResourceRef) => `${KIND_ORDER[r.kind]}\u0000${r.namespace ?? ""}\u0000${r.name}`;
  return [...refs].sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
}

export function refKey(ref: ResourceRef): string {
  const r = normalizeRef(ref);
  return `${r.kind}/${r.namespace ?? ""}/${r.name}`;
}

/**
 * The object to store given the desired one and what is there now. Creation stamps uid and
 * creationTimestamp as calicoctl does; updates keep them. A WorkloadEndpoint that exists keeps its
 * spec and foreign labels (Calico CNI owns those) and takes Hypercell's labels.
 */
export function mergeForWrite(desired: CalicoResource, existing: CalicoResource | undefined, stamp: () => { uid: string; creationTimestamp: string }): CalicoResource {
  if (!existing) return { ...desired, metadata: { ...desired.metadata, ...stamp() } } as CalicoResource;
  const kept = {
    ...(existing.metadata.uid ? { uid: existing.metadata.uid } : {}),
    ...(existing.metadata.creationTimestamp ? { creationTimestamp: existing.metadata.creationTimestamp } : {}),
  };
  if (desired.kind === "WorkloadEndpoint" && existing.kind === "WorkloadEndpoint") {
    return {
      ...existing,
      metadata: { ...existing.metadata, labels: { ...(existing.metadata.labels ?? {}), ...(desired.metadata.labels ?? {}) } },
      spec: { ...desired.spec, ...existing.spec },
    };
  }
  return { ...desired, metadata: { ...desired.metadata, ...kept } } as CalicoResource;
}

/** Drift between the managed objects found and the expected ones. */
export function computeDrift(expected: readonly CalicoResource[], found: readonly CalicoResource[], unreadable: DriftReport["unreadable"] = []): DriftReport {
  const want = new Map(expected.map((r) => [refKey(refOf(r)), r]));
  const have = new Map(found.map((r) => [refKey(refOf(r)), r]));
  const missing: ResourceRef[] = [];
  const changed: ChangedObject[] = [];
  for (const [k, exp] of want) {
    const act = have.get(k);
    if (!act) {
      missing.push(refOf(exp));
      continue;
    }
    const fields = differingFields(ownedView(exp), ownedView(act));
    if (fields.length > 0) changed.push({ ref: refOf(exp), fields, expected: exp, actual: act });
  }
  const extra = [...have.entries()].filter(([k, r]) => !want.has(k) && isManaged(r)).map(([, r]) => refOf(r));
  return { missing: sortRefs(missing), extra: sortRefs(extra), changed, unreadable, inSync: missing.length === 0 && extra.length === 0 && changed.length === 0 && unreadable.length === 0 };
}

/** Groups objects into transactions for repair: each session's own objects together, shared ones alone. */
export function groupBySession<T extends { resource: CalicoResource }>(items: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const it of items) {
    const key = ownerSession(it.resource) ?? "";
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(it);
  }
  return [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
}

/** BAD_INPUT unless every object in a bundle is a known kind and owned objects belong to the bundle's session. */
export function checkBundle(bundle: SessionBundle): void {
  for (const r of [...bundle.shared, ...bundle.owned]) {
    if (!CALICO_KINDS.includes(r.kind)) throw new AppError("BAD_INPUT", `unsupported kind ${String((r as { kind: unknown }).kind)} in the bundle of session ${bundle.sessionId}`);
  }
  for (const r of bundle.owned) {
    if (ownerSession(r) !== bundle.sessionId) {
      throw new AppError("BAD_INPUT", `${refString(refOf(r))} is in the owned objects of session ${bundle.sessionId} but is labelled for ${ownerSession(r) ?? "no session"}`);
    }
  }
  for (const r of bundle.shared) {
    if (ownerSession(r) !== undefined) throw new AppError("BAD_INPUT", `${refString(refOf(r))} is labelled for session ${ownerSession(r)} but listed as shared`);
  }
}

/** The guard run before a write: throws AppError BAD_INPUT naming each invalid object (see calico-crds.ts). */
export type ResourceValidator = (objects: readonly CalicoResource[]) => void;

export function assertKnownKind(kind: string): asserts kind is CalicoKind {
  if (!CALICO_KINDS.includes(kind as CalicoKind)) throw new AppError("BAD_INPUT", `unknown kind ${JSON.stringify(kind)} (known: ${CALICO_KINDS.join(", ")})`);
}
