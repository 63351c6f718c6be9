// Renders Calico projectcalico.org/v3 resources from tenancy. Pure and deterministic: the same
// tenancy gives byte-identical output, so drift detection can compare rendered objects with the
// datastore field by field, and `network render` output can be diffed across versions.
//
// Design (docs/network.md has the long form):
//   tier hypercell-admin   (order 100) — Hypercell's own rules; every Allow/Deny here is final.
//     100 allow-control-plane-ingress   agents → control + exporter ports of every session VM
//     200 deny-control-plane-egress     sessions → agents/controllers: never
//     300 allow-intra-session-<id>      one per session: members ↔ members, every port
//     400 default-deny-inter-session    any session → any other session: deny (BEP-1051 A.10)
//     500 allow-storage-egress          sessions → storage networks
//   10000 pass-to-project               everything undecided goes on to the project tier
//   tier hypercell-project (order 200) — what an admin allows per project, evaluated only after
//                                         the admin tier passed, so it can never re-open a path the
//                                         admin tier denied.
//     100 egress-<project>              the project's egress allow-list
//   10000 default-deny                  selects every session endpoint so the tier ends in Deny
//                                         (never falls through to a permissive CNI profile)
import { AppError } from "../../errors";
import {
  CALICO_API_VERSION,
  LABEL_CALICO_NAMESPACE,
  LABEL_CALICO_ORCHESTRATOR,
  LABEL_CALICO_TIER,
  LABEL_CLUSTER_ROLE,
  LABEL_MANAGED_BY,
  LABEL_OWNER_PROJECT,
  LABEL_OWNER_SESSION,
  LABEL_PROJECT_ID,
  LABEL_SCALING_GROUP,
  LABEL_SESSION_ID,
  MANAGED_BY_VALUE,
  ZTenancy,
  type CalicoResource,
  type EgressRule,
  type GlobalNetworkPolicyResource,
  type Rule,
  type Tenancy,
  type TenancyInput,
  type TenancySession,
  type TierResource,
  type WorkloadEndpointResource,
} from "./types";
import { stringify } from "yaml";

export const ADMIN_TIER = "hypercell-admin";
export const PROJECT_TIER = "hypercell-project";
/** Lower order = evaluated first. Both come before Calico's default tier (1,000,000). */
export const TIER_ORDER = { [ADMIN_TIER]: 100, [PROJECT_TIER]: 200 } as const;

export const ADMIN_ORDER = {
  controlPlaneIngress: 100,
  denyControlPlaneEgress: 200,
  intraSession: 300,
  denyInterSession: 400,
  storageEgress: 500,
  passToProject: 10000,
} as const;
export const PROJECT_ORDER = { egress: 100, defaultDeny: 10000 } as const;

/** The annotation on each rule that tells the console why the rule exists. */
export const RULE_ANNOTATION = "hypercell.io/rule";

const SESSION_SELECTOR = `has(${LABEL_SESSION_ID})`;

// Policy names in a non-default tier must start with "<tier>." (libcalico-go names.BackendTieredPolicyName),
// and that full name is the etcd key's last segment.
export const policyNames = {
  controlPlaneIngress: `${ADMIN_TIER}.allow-control-plane-ingress`,
  denyControlPlaneEgress: `${ADMIN_TIER}.deny-control-plane-egress`,
  denyInterSession: `${ADMIN_TIER}.default-deny-inter-session`,
  storageEgress: `${ADMIN_TIER}.allow-storage-egress`,
  passToProject: `${ADMIN_TIER}.pass-to-project`,
  projectDefaultDeny: `${PROJECT_TIER}.default-deny`,
  intraSession: (sessionId: string) => `${ADMIN_TIER}.allow-intra-session-${sessionId}`,
  projectEgress: (projectId: string) => `${PROJECT_TIER}.egress-${dnsSafe(projectId)}`,
};

export interface RenderOptions {
  /** Namespace of the WorkloadEndpoints (standalone Calico has no Kubernetes namespaces). */
  endpointNamespace?: string;
  /** Interface name inside the sandbox netns that Calico CNI wires to the VM (Kata mirrors it). */
  endpointInterface?: string;
}

/** Everything that must be in the datastore for one session, split by who owns it. */
export interface SessionBundle {
  sessionId: string;
  projectId: string;
  /** Tiers and policies many sessions share; apply writes them if absent or different, remove keeps them. */
  shared: CalicoResource[];
  /** The session's own policy and its endpoints' labels; remove deletes them. */
  owned: CalicoResource[];
}

export interface RenderedPolicy {
  /** Every shared object (tiers, admin policies, every project's egress policy). */
  shared: CalicoResource[];
  sessions: SessionBundle[];
}

// FNV-1a: a short stable suffix so two ids that sanitise to the same name stay distinct.
function fnv1a(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, "0");
}

/** A DNS-label form of an id for object names; ids that are not already one get a hash suffix. */
export function dnsSafe(id: string): string {
  if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(id) && id.length <= 63) return id;
  const base = id
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${base || "x"}-${fnv1a(id)}`;
}

function escapeDashes(segment: string): string {
  return segment.replace(/-/g, "--");
}

/**
 * libcalico-go's WorkloadEndpoint name for the "cni" orchestrator: `<node>-cni-<containerID>-<endpoint>`,
 * each segment's dashes doubled. The agent names a kernel's Kata sandbox after the kernel id, so this
 * is the key Calico CNI itself uses for that sandbox's endpoint and both writers meet on one object.
 */
export function workloadEndpointName(node: string, containerId: string, endpoint: string): string {
  return [node, ENDPOINT_ORCHESTRATOR, containerId, endpoint].map(escapeDashes).join("-");
}

/** Standalone Calico CNI records non-Kubernetes endpoints under the "cni" orchestrator. */
export const ENDPOINT_ORCHESTRATOR = "cni";

function selectorValue(v: string): string {
  // Label values may not contain quotes (validated), so single quotes are always safe.
  return `'${v}'`;
}

function sessionSelector(sessionId: string): string {
  return `${LABEL_SESSION_ID} == ${selectorValue(sessionId)}`;
}

function sortedUnique<T extends string | number>(xs: Iterable<T>): T[] {
  return [...new Set(xs)].sort((a, b) => (typeof a === "number" && typeof b === "number" ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
}

function hostCidr(ip: string): string {
  return ip.includes("/") ? ip : `${ip}/32`;
}

function managedLabels(tier: string, extra: Record<string, string> = {}): Record<string, string> {
  return { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE, [LABEL_CALICO_TIER]: tier, ...extra };
}

function annotated(rule: Rule, why: string): Rule {
  return { ...rule, metadata: { annotations: { [RULE_ANNOTATION]: why } } };
}

function tier(name: string, order: number): TierResource {
  return {
    apiVersion: CALICO_API_VERSION,
    kind: "Tier",
    metadata: { name, labels: { [LABEL_MANAGED_BY]: MANAGED_BY_VALUE } },
    spec: { order, defaultAction: "Deny" },
  };
}

function gnp(
  name: string,
  tierName: string,
  order: number,
  selector: string,
  body: { ingress?: Rule[]; egress?: Rule[] },
  labels: Record<string, string> = {},
): GlobalNetworkPolicyResource {
  const types: ("Ingress" | "Egress")[] = [];
  if (body.ingress) types.push("Ingress");
  if (body.egress) types.push("Egress");
  return {
    apiVersion: CALICO_API_VERSION,
    kind: "GlobalNetworkPolicy",
    metadata: { name, labels: managedLabels(tierName, labels) },
    spec: {
      tier: tierName,
      order,
      selector,
      types,
      ...(body.ingress ? { ingress: body.ingress } : {}),
      ...(body.egress ? { egress: body.egress } : {}),
    },
  };
}

function egressRules(rules: EgressRule[]): Rule[] {
  // One Calico rule per (protocol, port set), with the CIDRs that share it merged, in a stable order.
  const groups = new Map<string, { protocol?: "TCP" | "UDP"; ports?: number[]; nets: Set<string> }>();
  for (const r of rules) {
    const ports = r.ports && r.ports.length > 0 ? sortedUnique(r.ports) : undefined;
    const protocol = r.protocol ?? (ports ? "TCP" : undefined);
    const key = `${protocol ?? "*"}|${ports?.join(",") ?? "*"}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { protocol, ports, nets: new Set() }));
    g.nets.add(r.cidr);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) =>
      annotated(
        {
          action: "Allow",
          ...(g.protocol ? { protocol: g.protocol } : {}),
          destination: { nets: sortedUnique(g.nets), ...(g.ports ? { ports: g.ports } : {}) },
        },
        "project-egress-allow-list",
      ),
    );
}

function renderShared(t: Tenancy): { common: CalicoResource[]; projectEgress: Map<string, CalicoResource> } {
  const cp = t.controlPlane;
  const agentNets = sortedUnique(cp.agents.map((a) => hostCidr(a.ip)));
  const controlNets = sortedUnique([...agentNets, ...cp.controllers.map(hostCidr)]);
  const controlPorts = sortedUnique([...cp.ports.kernelRunner, cp.ports.dcgmExporter, cp.ports.nodeExporter]);
  const common: CalicoResource[] = [
    tier(ADMIN_TIER, TIER_ORDER[ADMIN_TIER]),
    tier(PROJECT_TIER, TIER_ORDER[PROJECT_TIER]),
    gnp(policyNames.controlPlaneIngress, ADMIN_TIER, ADMIN_ORDER.controlPlaneIngress, SESSION_SELECTOR, {
      ingress:
        agentNets.length > 0
          ? [
              annotated(
                { action: "Allow", protocol: "TCP", source: { nets: agentNets }, destination: { ports: controlPorts } },
                "agent-to-control-and-exporter-ports",
              ),
            ]
          : [],
    }),
    gnp(policyNames.denyControlPlaneEgress, ADMIN_TIER, ADMIN_ORDER.denyControlPlaneEgress, SESSION_SELECTOR, {
      egress: controlNets.length > 0 ? [annotated({ action: "Deny", destination: { nets: controlNets } }, "sessions-never-reach-control-plane")] : [],
    }),
    gnp(policyNames.denyInterSession, ADMIN_TIER, ADMIN_ORDER.denyInterSession, SESSION_SELECTOR, {
      ingress: [annotated({ action: "Deny", source: { selector: SESSION_SELECTOR } }, "deny-from-other-sessions")],
      egress: [annotated({ action: "Deny", destination: { selector: SESSION_SELECTOR } }, "deny-to-other-sessions")],
    }),
    gnp(policyNames.passToProject, ADMIN_TIER, ADMIN_ORDER.passToProject, SESSION_SELECTOR, {
      ingress: [annotated({ action: "Pass" }, "undecided-goes-to-project-tier")],
      egress: [annotated({ action: "Pass" }, "undecided-goes-to-project-tier")],
    }),
    gnp(policyNames.projectDefaultDeny, PROJECT_TIER, PROJECT_ORDER.defaultDeny, SESSION_SELECTOR, { ingress: [], egress: [] }),
  ];
  const storage = sortedUnique(t.storageNetworks);
  if (storage.length > 0) {
    common.push(
      gnp(policyNames.storageEgress, ADMIN_TIER, ADMIN_ORDER.storageEgress, SESSION_SELECTOR, {
        egress: [annotated({ action: "Allow", destination: { nets: storage } }, "storage-networks")],
      }),
    );
  }
  const projectEgress = new Map<string, CalicoResource>();
  for (const projectId of Object.keys(t.projectEgress).sort()) {
    const rules = t.projectEgress[projectId]!;
    if (rules.length === 0) continue;
    projectEgress.set(
      projectId,
      gnp(
        policyNames.projectEgress(projectId),
        PROJECT_TIER,
        PROJECT_ORDER.egress,
        `${LABEL_PROJECT_ID} == ${selectorValue(projectId)} && ${SESSION_SELECTOR}`,
        { egress: egressRules(rules) },
        { [LABEL_OWNER_PROJECT]: projectId },
      ),
    );
  }
  return { common, projectEgress };
}

function renderSession(s: TenancySession, opts: Required<RenderOptions>): CalicoResource[] {
  const sel = sessionSelector(s.id);
  const policy = gnp(
    policyNames.intraSession(s.id),
    ADMIN_TIER,
    ADMIN_ORDER.intraSession,
    sel,
    {
      ingress: [annotated({ action: "Allow", source: { selector: sel } }, "allow-from-same-session")],
      egress: [annotated({ action: "Allow", destination: { selector: sel } }, "allow-to-same-session")],
    },
    { [LABEL_OWNER_SESSION]: s.id },
  );
  const endpoints: WorkloadEndpointResource[] = s.members.map((m) => ({
    apiVersion: CALICO_API_VERSION,
    kind: "WorkloadEndpoint",
    metadata: {
      name: workloadEndpointName(m.host, m.kernelId, opts.endpointInterface),
      namespace: opts.endpointNamespace,
      labels: {
        [LABEL_SESSION_ID]: s.id,
        [LABEL_SCALING_GROUP]: s.resourceGroup,
        [LABEL_CLUSTER_ROLE]: m.clusterRole,
        [LABEL_PROJECT_ID]: s.projectId,
        [LABEL_CALICO_NAMESPACE]: opts.endpointNamespace,
        [LABEL_CALICO_ORCHESTRATOR]: ENDPOINT_ORCHESTRATOR,
      },
    },
    spec: {
      node: m.host,
      orchestrator: ENDPOINT_ORCHESTRATOR,
      containerID: m.kernelId,
      endpoint: opts.endpointInterface,
      ...(m.ip ? { ipNetworks: [hostCidr(m.ip)] } : {}),
    },
  }));
  return sortResources([policy, ...endpoints]);
}

const KIND_RANK: Record<CalicoResource["kind"], number> = { Tier: 0, GlobalNetworkPolicy: 1, NetworkPolicy: 2, WorkloadEndpoint: 3 };

/** Stable order: tiers, global policies, namespaced policies, endpoints; by namespace and name within a kind. */
export function sortResources<T extends CalicoResource>(objs: T[]): T[] {
  const key = (r: CalicoResource) => `${KIND_RANK[r.kind]}\u0000${r.metadata.namespace ?? ""}\u0000${r.metadata.name}`;
  return [...objs].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

function checkTenancy(t: Tenancy): void {
  const seenSessions = new Set<string>();
  const seenEndpoints = new Map<string, string>();
  const seenIps = new Map<string, string>();
  for (const s of t.sessions) {
    if (seenSessions.has(s.id)) throw new AppError("BAD_INPUT", `session ${s.id} appears twice in the tenancy`);
    seenSessions.add(s.id);
    for (const m of s.members) {
      const ep = `${m.host}/${m.kernelId}`;
      const prev = seenEndpoints.get(ep);
      if (prev) throw new AppError("BAD_INPUT", `kernel ${m.kernelId} on host ${m.host} is listed in sessions ${prev} and ${s.id}`);
      seenEndpoints.set(ep, s.id);
      if (m.ip) {
        const other = seenIps.get(m.ip);
        if (other) throw new AppError("BAD_INPUT", `IP ${m.ip} is given to two members (${other} and ${s.id}/${m.kernelId}); Calico would treat them as one endpoint`);
        seenIps.set(m.ip, `${s.id}/${m.kernelId}`);
      }
    }
  }
}

/** Parses untrusted tenancy (a file, an API body) with errors that name the bad field. */
export function parseTenancy(input: unknown): Tenancy {
  const r = ZTenancy.safeParse(input);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`);
    throw new AppError("BAD_INPUT", `tenancy is invalid:\n  ${issues.join("\n  ")}`, { issues });
  }
  return r.data;
}

/**
 * Renders the whole policy set. Throws AppError BAD_INPUT when the tenancy fails validation or is
 * inconsistent (a session twice, one kernel in two sessions, one IP on two members).
 */
export function renderPolicy(tenancy: Tenancy | TenancyInput, options: RenderOptions = {}): RenderedPolicy {
  const t = parseTenancy(tenancy);
  checkTenancy(t);
  const opts: Required<RenderOptions> = { endpointNamespace: options.endpointNamespace ?? "default", endpointInterface: options.endpointInterface ?? "eth0" };
  const { common, projectEgress } = renderShared(t);
  const sessions = [...t.sessions]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((s) => {
      const egress = projectEgress.get(s.projectId);
      return {
        sessionId: s.id,
        projectId: s.projectId,
        shared: sortResources(egress ? [...common, egress] : common),
        owned: renderSession(s, opts),
      };
    });
  return { shared: sortResources([...common, ...projectEgress.values()]), sessions };
}

/** The bundle for one session; AppError NOT_FOUND when the tenancy has no such session. */
export function renderSessionBundle(tenancy: Tenancy | TenancyInput, sessionId: string, options: RenderOptions = {}): SessionBundle {
  const rendered = renderPolicy(tenancy, options);
  const b = rendered.sessions.find((s) => s.sessionId === sessionId);
  if (!b) throw new AppError("NOT_FOUND", `no session ${sessionId} in the tenancy (known: ${rendered.sessions.map((s) => s.sessionId).join(", ") || "none"})`);
  return b;
}

/** Every object of a rendered set once, in stable order (what the whole datastore should hold). */
export function allObjects(rendered: RenderedPolicy): CalicoResource[] {
  return sortResources([...rendered.shared, ...rendered.sessions.flatMap((s) => s.owned)]);
}

/** Multi-document YAML as `calicoctl apply -f` reads it. */
export function toYaml(objects: CalicoResource[], comments?: (o: CalicoResource) => string | undefined): string {
  return objects
    .map((o) => {
      const c = comments?.(o);
      return `${c ? `# ${c}\n` : ""}${stringify(o, { lineWidth: 0, sortMapEntries: false })}`;
    })
    .map((doc) => `---\n${doc}`)
    .join("");
}
