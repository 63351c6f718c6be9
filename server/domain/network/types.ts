// Tenancy (what Hypercell knows about sessions, projects and the control plane) and the Calico v3
// resources rendered from it. Pure types and zod schemas; no I/O.
import { z } from "zod";

/** Endpoint labels from BEP-1051 A.10, plus the project label Hypercell adds. */
export const LABEL_SESSION_ID = "ai.backend.session-id";
export const LABEL_SCALING_GROUP = "ai.backend.scaling-group";
export const LABEL_CLUSTER_ROLE = "ai.backend.cluster-role";
export const LABEL_PROJECT_ID = "ai.backend.project-id";

/** Labels on the policy objects themselves (never on endpoints), used to find what Hypercell owns. */
export const LABEL_MANAGED_BY = "hypercell.io/managed-by";
export const MANAGED_BY_VALUE = "hypercell";
export const LABEL_OWNER_SESSION = "hypercell.io/session-id";
export const LABEL_OWNER_PROJECT = "hypercell.io/project-id";
/** calicoctl's client adds this label to every policy in a non-default tier; we render it up front. */
export const LABEL_CALICO_TIER = "projectcalico.org/tier";
export const LABEL_CALICO_NAMESPACE = "projectcalico.org/namespace";
export const LABEL_CALICO_ORCHESTRATOR = "projectcalico.org/orchestrator";

// Kubernetes label-value rules (Calico enforces the same): at most 63 characters, alphanumeric at
// both ends, '-', '_' and '.' inside. Session ids also end up inside object names, so they must be
// DNS labels (lowercase alphanumerics and '-').
const labelValue = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/, "must be a label value: letters, digits, '-', '_', '.', alphanumeric at both ends");
const dnsLabel = z
  .string()
  .min(1)
  .max(63)
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a DNS label: lowercase letters, digits and '-', alphanumeric at both ends");
// WorkloadEndpoint names join node, orchestrator, workload and endpoint with '-', so a host name may
// not start or end with '-' (Calico's own rule) — a DNS subdomain satisfies that.
const hostName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, "must be a host name: lowercase letters, digits, '-' and '.'");
const ipv4 = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/, "must be an IPv4 address");
const cidr = z
  .string()
  .regex(/^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/, "must be an IPv4 CIDR like 10.0.0.0/8");
const port = z.number().int().min(1).max(65535);

export const ZSessionMember = z.object({
  kernelId: dnsLabel,
  /** BEP-1051: "main" or "sub"; any label value is accepted. */
  clusterRole: labelValue,
  /** The Calico node (agent host) the member's VM runs on. */
  host: hostName,
  /** The VM's address once Calico IPAM gave it one; absent before the sandbox exists. */
  ip: ipv4.optional(),
});
export type SessionMember = z.infer<typeof ZSessionMember>;

export const ZTenancySession = z.object({
  id: dnsLabel,
  projectId: labelValue,
  resourceGroup: labelValue,
  members: z.array(ZSessionMember).min(1),
});
export type TenancySession = z.infer<typeof ZTenancySession>;

export const ZEgressRule = z.object({
  cidr,
  /** Omitted: every port. */
  ports: z.array(port).optional(),
  /** Omitted: TCP when ports are given (Calico accepts ports only with TCP/UDP/SCTP), else any protocol. */
  protocol: z.enum(["TCP", "UDP"]).optional(),
});
export type EgressRule = z.infer<typeof ZEgressRule>;

export const ZControlPlane = z.object({
  /** Agents, one per host. Only they may open the control and scrape ports of a session's VMs. */
  agents: z.array(z.object({ host: hostName, ip: ipv4 })),
  /** Controller addresses; sessions may never reach them. */
  controllers: z.array(ipv4),
  ports: z.object({
    /** The agent's gRPC port (the controller calls it). Sessions must never reach it. */
    agentGrpc: port,
    /** Ports inside the guest the agent connects to (kernel runner ZMQ, intrinsic-ports.json). */
    kernelRunner: z.array(port),
    /** In-guest DCGM exporter. */
    dcgmExporter: port,
    /** In-guest node_exporter. */
    nodeExporter: port,
  }),
});
export type ControlPlane = z.infer<typeof ZControlPlane>;

export const ZTenancy = z.object({
  sessions: z.array(ZTenancySession),
  /** Per-project egress allow-list an admin edits; projects without one get no egress beyond storage. */
  projectEgress: z.record(labelValue, z.array(ZEgressRule)).default({}),
  /** Storage networks (NFS/Lustre) every session may reach. */
  storageNetworks: z.array(cidr).default([]),
  controlPlane: ZControlPlane,
});
export type Tenancy = z.infer<typeof ZTenancy>;
export type TenancyInput = z.input<typeof ZTenancy>;

export const DEFAULT_CONTROL_PORTS: ControlPlane["ports"] = {
  agentGrpc: 6001,
  kernelRunner: [2000, 2001],
  dcgmExporter: 9400,
  nodeExporter: 9100,
};

// ---- Calico projectcalico.org/v3 resources (the subset Hypercell writes and evaluates) ----

export const CALICO_API_VERSION = "projectcalico.org/v3";

export type RuleAction = "Allow" | "Deny" | "Log" | "Pass";
export type PolicyType = "Ingress" | "Egress";
export type Port = number | string;

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** Set by the datastore writer on creation (as calicoctl does); never rendered. */
  uid?: string;
  creationTimestamp?: string;
  resourceVersion?: string;
}

export interface EntityRule {
  selector?: string;
  notSelector?: string;
  namespaceSelector?: string;
  nets?: string[];
  notNets?: string[];
  ports?: Port[];
  notPorts?: Port[];
  serviceAccounts?: unknown;
  services?: unknown;
}

export interface Rule {
  action: RuleAction;
  protocol?: string | number;
  notProtocol?: string | number;
  ipVersion?: 4 | 6;
  icmp?: unknown;
  notICMP?: unknown;
  http?: unknown;
  source?: EntityRule;
  destination?: EntityRule;
  metadata?: { annotations?: Record<string, string> };
}

export interface PolicySpec {
  tier?: string;
  order?: number;
  selector?: string;
  namespaceSelector?: string;
  serviceAccountSelector?: string;
  types?: PolicyType[];
  ingress?: Rule[];
  egress?: Rule[];
  doNotTrack?: boolean;
  preDNAT?: boolean;
  applyOnForward?: boolean;
}

export interface TierSpec {
  order?: number;
  defaultAction?: "Deny" | "Pass";
}

export interface WorkloadEndpointSpec {
  node?: string;
  orchestrator?: string;
  workload?: string;
  pod?: string;
  containerID?: string;
  endpoint?: string;
  interfaceName?: string;
  mac?: string;
  ipNetworks?: string[];
  profiles?: string[];
  ports?: { name: string; port: number; protocol?: string }[];
}

interface ResourceBase<K extends string, S> {
  apiVersion: typeof CALICO_API_VERSION;
  kind: K;
  metadata: ObjectMeta;
  spec: S;
}

export type TierResource = ResourceBase<"Tier", TierSpec>;
export type GlobalNetworkPolicyResource = ResourceBase<"GlobalNetworkPolicy", PolicySpec>;
export type NetworkPolicyResource = ResourceBase<"NetworkPolicy", PolicySpec>;
export type WorkloadEndpointResource = ResourceBase<"WorkloadEndpoint", WorkloadEndpointSpec>;
export type PolicyResource = GlobalNetworkPolicyResource | NetworkPolicyResource;
export type CalicoResource = TierResource | PolicyResource | WorkloadEndpointResource;
export type CalicoKind = CalicoResource["kind"];

export const CALICO_KINDS: readonly CalicoKind[] = ["Tier", "GlobalNetworkPolicy", "NetworkPolicy", "WorkloadEndpoint"];

/** Kinds that live in a namespace (libcalico-go's namespace.IsNamespaced for our subset). */
export function isNamespacedKind(kind: CalicoKind): boolean {
  return kind === "NetworkPolicy" || kind === "WorkloadEndpoint";
}

/** A reference to one object: what drift reports and errors name. */
export interface ResourceRef {
  kind: CalicoKind;
  name: string;
  namespace?: string;
}

export function refOf(r: CalicoResource): ResourceRef {
  return r.metadata.namespace !== undefined && isNamespacedKind(r.kind)
    ? { kind: r.kind, name: r.metadata.name, namespace: r.metadata.namespace }
    : { kind: r.kind, name: r.metadata.name };
}

export function refString(ref: ResourceRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

export function isPolicy(r: CalicoResource): r is PolicyResource {
  return r.kind === "GlobalNetworkPolicy" || r.kind === "NetworkPolicy";
}
