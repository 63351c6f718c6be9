// calicoctl's key layout in a standalone etcd v3 datastore (libcalico-go backend/model/resource.go):
//   /calico/resources/v3/projectcalico.org/<plural>/<name>               cluster-scoped kinds
//   /calico/resources/v3/projectcalico.org/<plural>/<namespace>/<name>   namespaced kinds
// The value is the resource's JSON. Policy names carry their tier prefix ("<tier>.<name>"), which is
// how libcalico-go stores policies of a non-default tier.
import { AppError } from "../../../errors";
import { isNamespacedKind, type CalicoKind, type ResourceRef } from "../../../domain/network/types";

export const CALICO_RESOURCE_PREFIX = "/calico/resources/v3/projectcalico.org/";

export const KIND_PLURAL: Record<CalicoKind, string> = {
  Tier: "tiers",
  GlobalNetworkPolicy: "globalnetworkpolicies",
  NetworkPolicy: "networkpolicies",
  WorkloadEndpoint: "workloadendpoints",
};

const KIND_BY_PLURAL = new Map(Object.entries(KIND_PLURAL).map(([k, p]) => [p, k as CalicoKind]));

function checkSegment(what: string, v: string | undefined, ref: ResourceRef): string {
  if (!v || v.includes("/")) throw new AppError("BAD_INPUT", `${ref.kind} ${ref.name}: ${what} ${JSON.stringify(v)} cannot be an etcd key segment`);
  return v;
}

/** The etcd key of an object; BAD_INPUT when a namespaced kind has no namespace or a segment holds '/'. */
export function etcdKey(ref: ResourceRef): string {
  const plural = KIND_PLURAL[ref.kind];
  if (!plural) throw new AppError("BAD_INPUT", `no etcd layout for kind ${JSON.stringify(ref.kind)}`);
  const name = checkSegment("name", ref.name, ref);
  if (isNamespacedKind(ref.kind)) return `${CALICO_RESOURCE_PREFIX}${plural}/${checkSegment("namespace", ref.namespace, ref)}/${name}`;
  return `${CALICO_RESOURCE_PREFIX}${plural}/${name}`;
}

/** The prefix under which all objects of a kind live (ends with '/'). */
export function etcdKindPrefix(kind: CalicoKind): string {
  return `${CALICO_RESOURCE_PREFIX}${KIND_PLURAL[kind]}/`;
}

/** The reference an etcd key stands for, or null when the key is not one of our kinds' layout. */
export function parseEtcdKey(key: string): ResourceRef | null {
  if (!key.startsWith(CALICO_RESOURCE_PREFIX)) return null;
  const parts = key.slice(CALICO_RESOURCE_PREFIX.length).split("/");
  const kind = KIND_BY_PLURAL.get(parts[0] ?? "");
  if (!kind) return null;
  if (isNamespacedKind(kind)) return parts.length === 3 && parts[1] && parts[2] ? { kind, namespace: parts[1], name: parts[2] } : null;
  return parts.length === 2 && parts[1] ? { kind, name: parts[1] } : null;
}
