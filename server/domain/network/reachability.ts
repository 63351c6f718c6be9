// Evaluates a set of Calico resources the way Felix enforces them, over the current endpoints, and
// produces a reachability matrix: for every (source, destination, probe) whether traffic is allowed
// and which policy rule (or tier default, or profile default) decided each direction.
//
// Calico semantics implemented here (docs/network.md, "Reachability"):
//  - A connection is allowed only if the source endpoint's egress AND the destination endpoint's
//    ingress both allow it. Plain IP peers (agents, storage, the internet) are not Calico endpoints:
//    nothing is enforced on their side.
//  - Per direction, tiers run in ascending `order` (missing order = last; ties by name). A tier
//    takes part only if at least one of its policies selects the endpoint and has that direction in
//    `types`. Inside a tier, policies run by `order` then name; inside a policy, rules in order; the
//    first matching rule decides: Allow / Deny end evaluation, Pass jumps to the next tier, Log
//    records and goes on. When no rule in a taking-part tier matched, the tier's defaultAction
//    applies (Deny unless the tier says Pass).
//  - When no tier decided (none took part, or all passed), the endpoint's profiles decide; Hypercell's
//    endpoints carry none, so the default is Deny (configurable for other deployments).
//  - Rule selectors match only Calico endpoints (they become IP sets of endpoints), so a plain IP
//    peer never matches `selector` — not even `all()` — but always satisfies `notSelector`.
//  - doNotTrack / preDNAT / applyOnForward policies apply to host endpoints only and are skipped.
//
// Speed: each selector and each rule's source/destination is turned into a bit set over all peers
// once; the matrix is then filled per (endpoint, direction, probe) by walking that endpoint's few
// applicable rules with set operations, so 1,000 endpoints cost well under a second. A naive
// pairwise evaluator (`evaluatePairNaive`) is kept as the reference the tests compare against and
// the benchmark's baseline.
import { AppError } from "../../errors";
import { BitSet } from "./bitset";
import { cidrContains, parseCidr, parseIp, type ParsedCidr, type ParsedIp } from "./ip";
import { RULE_ANNOTATION } from "./render-policy";
import { LabelIndex, matches, parseSelectorCached, type Labels, type Selector } from "./selector";
import {
  LABEL_CALICO_NAMESPACE,
  isPolicy,
  type CalicoResource,
  type EntityRule,
  type PolicyResource,
  type Port,
  type Rule,
  type RuleAction,
  type TierResource,
  type WorkloadEndpointResource,
} from "./types";

export interface Probe {
  protocol: "TCP" | "UDP";
  port: number;
  /** What the port is, for people ("dcgm-exporter"). */
  name?: string;
  /** Source port of the probe connection; an ephemeral one by default. */
  sourcePort?: number;
}

/** A plain IP peer that is not a Calico endpoint (an agent, a controller, a storage server…). */
export interface ExternalPeer {
  id: string;
  ip: string;
  role: string;
}

export interface MatrixEndpoint {
  index: number;
  kind: "workload" | "external";
  /** "namespace/name" for workload endpoints, the peer id for externals. */
  id: string;
  ip: string;
  labels: Labels;
  namespace?: string;
  role?: string;
}

export type Direction = "ingress" | "egress";

export interface Decision {
  action: "Allow" | "Deny";
  direction: Direction;
  /** rule: a policy rule; end-of-tier: the tier's default; profile: no tier decided; not-enforced: the side is not a Calico endpoint; same-endpoint: traffic to itself. */
  reason: "rule" | "end-of-tier" | "profile" | "not-enforced" | "same-endpoint";
  tier?: string;
  policy?: string;
  policyKind?: "GlobalNetworkPolicy" | "NetworkPolicy";
  policyNamespace?: string;
  ruleIndex?: number;
  /** The rule's `hypercell.io/rule` annotation when it has one. */
  ruleLabel?: string;
}

export interface CellVerdict {
  allowed: boolean;
  egress: Decision;
  ingress: Decision;
  /** The decision that settled the outcome: the first Deny (egress before ingress), else the ingress Allow. */
  decidedBy: Decision;
}

export interface EvaluationInput {
  resources: readonly CalicoResource[];
  externals?: readonly ExternalPeer[];
  probes: readonly Probe[];
  /** What profiles do when no tier decided; Hypercell endpoints have no profiles, so Deny. */
  profileAction?: "Allow" | "Deny";
}

// ---------------------------------------------------------------- compiled model

interface CompiledEntity {
  selector?: Selector;
  notSelector?: Selector;
  namespaceSelector?: Selector;
  /** Namespaced policy: a selector without namespaceSelector only matches its own namespace. */
  sameNamespace?: string;
  nets?: ParsedCidr[];
  notNets?: ParsedCidr[];
  ports?: PortMatcher[];
  notPorts?: PortMatcher[];
}

type PortMatcher = { kind: "range"; from: number; to: number } | { kind: "named"; name: string };

interface CompiledRule {
  index: number;
  action: RuleAction;
  protocol?: number;
  notProtocol?: number;
  ipVersion?: 4 | 6;
  /** ICMP criteria: such a rule can only match ICMP, never our TCP/UDP probes. */
  requiresIcmp: boolean;
  source: CompiledEntity;
  destination: CompiledEntity;
  label?: string;
}

interface CompiledPolicy {
  seq: number;
  name: string;
  kind: "GlobalNetworkPolicy" | "NetworkPolicy";
  namespace?: string;
  tier: string;
  order: number;
  selector: Selector;
  namespaceSelector?: Selector;
  types: Set<"Ingress" | "Egress">;
  ingress: CompiledRule[];
  egress: CompiledRule[];
}

interface CompiledTier {
  name: string;
  order: number;
  defaultAction: "Deny" | "Pass";
  policies: CompiledPolicy[];
}

interface Peer {
  endpoint: MatrixEndpoint;
  ip: ParsedIp;
  /** Named ports of a workload endpoint (for rules that use port names). */
  namedPorts: Map<string, { port: number; protocol: number }>;
}

const PROTOCOLS: Record<string, number> = { TCP: 6, UDP: 17, ICMP: 1, ICMPV6: 58, SCTP: 132, UDPLITE: 136 };

function protocolNumber(p: string | number, where: string): number {
  if (typeof p === "number") return p;
  const n = PROTOCOLS[p.toUpperCase()];
  if (n !== undefined) return n;
  if (/^\d+$/.test(p)) return Number(p);
  throw new AppError("BAD_INPUT", `${where}: unknown protocol ${JSON.stringify(p)}`);
}

function compilePorts(ports: Port[] | undefined, where: string): PortMatcher[] | undefined {
  if (!ports) return undefined;
  return ports.map((p) => {
    if (typeof p === "number") return { kind: "range", from: p, to: p };
    const m = /^(\d+)(?::(\d+))?$/.exec(p);
    if (m) return { kind: "range", from: Number(m[1]), to: Number(m[2] ?? m[1]) };
    if (/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i.test(p)) return { kind: "named", name: p };
    throw new AppError("BAD_INPUT", `${where}: bad port ${JSON.stringify(p)}`);
  });
}

function compileNets(nets: string[] | undefined, where: string): ParsedCidr[] | undefined {
  if (!nets) return undefined;
  return nets.map((n) => {
    const c = parseCidr(n);
    if (!c) throw new AppError("BAD_INPUT", `${where}: bad CIDR ${JSON.stringify(n)}`);
    return c;
  });
}

function sel(text: string | undefined, where: string): Selector | undefined {
  if (text === undefined || text === "") return undefined;
  try {
    return parseSelectorCached(text);
  } catch (e) {
    throw new AppError("BAD_INPUT", `${where}: ${(e as Error).message}`);
  }
}

function compileEntity(e: EntityRule | undefined, policyNamespace: string | undefined, where: string): CompiledEntity {
  if (!e) return {};
  if (e.serviceAccounts !== undefined || e.services !== undefined) {
    throw new AppError("BAD_INPUT", `${where}: serviceAccounts/services matches are not supported by the reachability evaluator`);
  }
  const selector = sel(e.selector, `${where}.selector`);
  const namespaceSelector = sel(e.namespaceSelector, `${where}.namespaceSelector`);
  return {
    selector,
    notSelector: sel(e.notSelector, `${where}.notSelector`),
    namespaceSelector,
    sameNamespace: policyNamespace !== undefined && selector && !namespaceSelector ? policyNamespace : undefined,
    nets: compileNets(e.nets, `${where}.nets`),
    notNets: compileNets(e.notNets, `${where}.notNets`),
    ports: compilePorts(e.ports, `${where}.ports`),
    notPorts: compilePorts(e.notPorts, `${where}.notPorts`),
  };
}

function compileRule(r: Rule, index: number, policyNamespace: string | undefined, where: string): CompiledRule {
  if (r.http !== undefined) throw new AppError("BAD_INPUT", `${where}: HTTP matches (application layer policy) are not supported by the reachability evaluator`);
  return {
    index,
    action: r.action,
    protocol: r.protocol !== undefined ? protocolNumber(r.protocol, `${where}.protocol`) : undefined,
    notProtocol: r.notProtocol !== undefined ? protocolNumber(r.notProtocol, `${where}.notProtocol`) : undefined,
    ipVersion: r.ipVersion,
    requiresIcmp: r.icmp !== undefined,
    source: compileEntity(r.source, policyNamespace, `${where}.source`),
    destination: compileEntity(r.destination, policyNamespace, `${where}.destination`),
    label: r.metadata?.annotations?.[RULE_ANNOTATION],
  };
}

// libcalico-go defaults `types` from the rules present when it is omitted.
function policyTypes(p: PolicyResource): Set<"Ingress" | "Egress"> {
  if (p.spec.types && p.spec.types.length > 0) return new Set(p.spec.types);
  if (!p.spec.egress || p.spec.egress.length === 0) return new Set(["Ingress"]);
  if (!p.spec.ingress || p.spec.ingress.length === 0) return new Set(["Egress"]);
  return new Set(["Ingress", "Egress"]);
}

function compareOrder(a: { order: number; name: string }, b: { order: number; name: string }): number {
  if (a.order !== b.order) return a.order < b.order ? -1 : 1;
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

export interface CompiledPolicySet {
  tiers: CompiledTier[];
  /** Policies that are never evaluated, with why (missing tier, host-endpoint-only). */
  ignored: { policy: string; reason: string }[];
}

/** Builds the evaluation order from the resources; throws AppError BAD_INPUT on unsupported rules. */
export function compilePolicies(resources: readonly CalicoResource[]): CompiledPolicySet {
  const tierRes = new Map<string, TierResource>();
  for (const r of resources) if (r.kind === "Tier") tierRes.set(r.metadata.name, r);
  const tiers = new Map<string, CompiledTier>();
  // The default tier always exists in Calico (order 1,000,000).
  const getTier = (name: string): CompiledTier | undefined => {
    let t = tiers.get(name);
    if (t) return t;
    const res = tierRes.get(name);
    if (!res && name !== "default") return undefined;
    t = {
      name,
      order: res?.spec.order ?? (name === "default" ? 1_000_000 : Number.POSITIVE_INFINITY),
      defaultAction: res?.spec.defaultAction ?? "Deny",
      policies: [],
    };
    tiers.set(name, t);
    return t;
  };
  const ignored: CompiledPolicySet["ignored"] = [];
  let seq = 0;
  for (const r of resources) {
    if (!isPolicy(r)) continue;
    const ns = r.kind === "NetworkPolicy" ? (r.metadata.namespace ?? "default") : undefined;
    const fullName = ns ? `${ns}/${r.metadata.name}` : r.metadata.name;
    const where = `${r.kind} ${fullName}`;
    if (r.spec.doNotTrack || r.spec.preDNAT || r.spec.applyOnForward) {
      ignored.push({ policy: fullName, reason: "doNotTrack/preDNAT/applyOnForward policies apply to host endpoints only" });
      continue;
    }
    if (r.spec.serviceAccountSelector) throw new AppError("BAD_INPUT", `${where}: serviceAccountSelector is not supported by the reachability evaluator`);
    const tierName = r.spec.tier || "default";
    const tier = getTier(tierName);
    if (!tier) {
      ignored.push({ policy: fullName, reason: `tier ${tierName} does not exist` });
      continue;
    }
    tier.policies.push({
      seq: seq++,
      name: r.metadata.name,
      kind: r.kind,
      namespace: ns,
      tier: tierName,
      order: r.spec.order ?? Number.POSITIVE_INFINITY,
      selector: sel(r.spec.selector, `${where}.spec.selector`) ?? parseSelectorCached("all()"),
      namespaceSelector: sel(r.spec.namespaceSelector, `${where}.spec.namespaceSelector`),
      types: policyTypes(r),
      ingress: (r.spec.ingress ?? []).map((rule, i) => compileRule(rule, i, ns, `${where}.spec.ingress[${i}]`)),
      egress: (r.spec.egress ?? []).map((rule, i) => compileRule(rule, i, ns, `${where}.spec.egress[${i}]`)),
    });
  }
  const sortedTiers = [...tiers.values()].sort(compareOrder);
  for (const t of sortedTiers) t.policies.sort((a, b) => compareOrder({ order: a.order, name: sortName(a) }, { order: b.order, name: sortName(b) }));
  return { tiers: sortedTiers, ignored };
}

// Felix orders by name with the namespace in front for namespaced policies.
function sortName(p: CompiledPolicy): string {
  return p.namespace ? `${p.namespace}/${p.name}` : p.name;
}

// ---------------------------------------------------------------- endpoints

export interface EndpointSet {
  endpoints: MatrixEndpoint[];
  workloadCount: number;
  skipped: { id: string; reason: string }[];
  peers: Peer[];
}

function endpointAddress(w: WorkloadEndpointResource): ParsedIp | undefined {
  const ips = (w.spec.ipNetworks ?? []).map((n) => parseCidr(n)).filter((c): c is ParsedCidr => c !== null);
  const pick = ips.find((c) => c.family === 4) ?? ips[0];
  return pick ? { family: pick.family, value: pick.base } : undefined;
}

/** Workload endpoints (with an address) first, then external peers; indexes are matrix positions. */
export function collectEndpoints(resources: readonly CalicoResource[], externals: readonly ExternalPeer[] = []): EndpointSet {
  const endpoints: MatrixEndpoint[] = [];
  const peers: Peer[] = [];
  const skipped: EndpointSet["skipped"] = [];
  const weps = resources.filter((r): r is WorkloadEndpointResource => r.kind === "WorkloadEndpoint");
  weps.sort((a, b) => {
    const ka = `${a.metadata.namespace ?? ""}/${a.metadata.name}`;
    const kb = `${b.metadata.namespace ?? ""}/${b.metadata.name}`;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  for (const w of weps) {
    const ns = w.metadata.namespace ?? "default";
    const id = `${ns}/${w.metadata.name}`;
    const ip = endpointAddress(w);
    if (!ip) {
      skipped.push({ id, reason: "no address yet (spec.ipNetworks is empty); Calico cannot route to it" });
      continue;
    }
    // Felix gives every workload endpoint its namespace label even when the object lacks it.
    const labels: Record<string, string> = { ...(w.metadata.labels ?? {}) };
    labels[LABEL_CALICO_NAMESPACE] ??= ns;
    const e: MatrixEndpoint = { index: endpoints.length, kind: "workload", id, ip: (w.spec.ipNetworks ?? [])[0]!.split("/")[0]!, labels, namespace: ns };
    endpoints.push(e);
    const named = new Map<string, { port: number; protocol: number }>();
    for (const p of w.spec.ports ?? []) named.set(p.name, { port: p.port, protocol: protocolNumber(p.protocol ?? "TCP", `WorkloadEndpoint ${id}.spec.ports`) });
    peers.push({ endpoint: e, ip, namedPorts: named });
  }
  const workloadCount = endpoints.length;
  for (const x of externals) {
    const ip = parseIp(x.ip);
    if (!ip) throw new AppError("BAD_INPUT", `external peer ${x.id}: bad IP ${JSON.stringify(x.ip)}`);
    const e: MatrixEndpoint = { index: endpoints.length, kind: "external", id: x.id, ip: x.ip, labels: {}, role: x.role };
    endpoints.push(e);
    peers.push({ endpoint: e, ip, namedPorts: new Map() });
  }
  return { endpoints, workloadCount, skipped, peers };
}

// ---------------------------------------------------------------- shared rule semantics

function portListMatches(list: PortMatcher[], port: number, protocol: number, peer: Peer | undefined): boolean {
  return list.some((m) => {
    if (m.kind === "range") return port >= m.from && port <= m.to;
    const np = peer?.namedPorts.get(m.name);
    return np !== undefined && np.port === port && np.protocol === protocol;
  });
}

function entityPortsOk(e: CompiledEntity, port: number, protocol: number, peer: Peer | undefined): boolean {
  if (e.ports && !portListMatches(e.ports, port, protocol, peer)) return false;
  if (e.notPorts && portListMatches(e.notPorts, port, protocol, peer)) return false;
  return true;
}

function usesNamedPorts(e: CompiledEntity): boolean {
  return [...(e.ports ?? []), ...(e.notPorts ?? [])].some((m) => m.kind === "named");
}

function protocolOk(r: CompiledRule, protocol: number): boolean {
  if (r.requiresIcmp) return false;
  if (r.protocol !== undefined && r.protocol !== protocol) return false;
  if (r.notProtocol !== undefined && r.notProtocol === protocol) return false;
  return true;
}

function namespaceLabels(ns: string): Labels {
  // Calico labels every namespace with its name; we have no Namespace objects beyond that. The
  // namespace marker makes `global()` (= "not in any namespace") false for every workload's namespace.
  return { "projectcalico.org/name": ns, [LABEL_CALICO_NAMESPACE]: ns };
}

/** Does one peer satisfy an entity's address/label criteria (ports aside)? The naive path. */
function entityMatchesPeer(e: CompiledEntity, peer: Peer): boolean {
  const ep = peer.endpoint;
  const isWorkload = ep.kind === "workload";
  if (e.selector || e.namespaceSelector) {
    if (!isWorkload) return false;
    if (e.selector && !matches(e.selector, ep.labels)) return false;
    if (e.namespaceSelector && !matches(e.namespaceSelector, namespaceLabels(ep.namespace ?? ""))) return false;
    if (e.sameNamespace !== undefined && ep.namespace !== e.sameNamespace) return false;
  }
  if (e.notSelector && isWorkload && matches(e.notSelector, ep.labels)) return false;
  if (e.nets && !e.nets.some((c) => cidrContains(c, peer.ip))) return false;
  if (e.notNets && e.notNets.some((c) => cidrContains(c, peer.ip))) return false;
  return true;
}

function policySelects(p: CompiledPolicy, peer: Peer): boolean {
  const ep = peer.endpoint;
  if (ep.kind !== "workload") return false;
  if (p.namespace !== undefined && ep.namespace !== p.namespace) return false;
  if (p.namespaceSelector && !matches(p.namespaceSelector, namespaceLabels(ep.namespace ?? ""))) return false;
  return matches(p.selector, ep.labels);
}

// ---------------------------------------------------------------- decisions

class DecisionTable {
  readonly list: Decision[] = [];
  private readonly ids = new Map<string, number>();
  id(key: string, make: () => Decision): number {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(make());
      this.ids.set(key, id);
    }
    return id;
  }
}

function ruleDecision(p: CompiledPolicy, r: CompiledRule, d: Direction): Decision {
  return {
    action: r.action === "Allow" ? "Allow" : "Deny",
    direction: d,
    reason: "rule",
    tier: p.tier,
    policy: p.name,
    policyKind: p.kind,
    ...(p.namespace ? { policyNamespace: p.namespace } : {}),
    ruleIndex: r.index,
    ...(r.label ? { ruleLabel: r.label } : {}),
  };
}

const NOT_ENFORCED = (d: Direction): Decision => ({ action: "Allow", direction: d, reason: "not-enforced" });
const SAME_ENDPOINT = (d: Direction): Decision => ({ action: "Allow", direction: d, reason: "same-endpoint" });
const END_OF_TIER = (t: CompiledTier, d: Direction): Decision => ({ action: "Deny", direction: d, reason: "end-of-tier", tier: t.name });
const PROFILE = (a: "Allow" | "Deny", d: Direction): Decision => ({ action: a, direction: d, reason: "profile" });

/** One line for the console: "Deny (ingress) by hypercell-admin.default-deny-inter-session rule 0 [deny-from-other-sessions]". */
export function describeDecision(d: Decision): string {
  switch (d.reason) {
    case "rule":
      return `${d.action} (${d.direction}) by ${d.policyNamespace ? `${d.policyNamespace}/` : ""}${d.policy} ${d.direction} rule ${d.ruleIndex}${d.ruleLabel ? ` [${d.ruleLabel}]` : ""}`;
    case "end-of-tier":
      return `${d.action} (${d.direction}) at the end of tier ${d.tier}: a policy selected the endpoint but no rule matched`;
    case "profile":
      return `${d.action} (${d.direction}) by the profile default: no tier decided`;
    case "not-enforced":
      return `not enforced (${d.direction}): the peer is not a Calico endpoint`;
    case "same-endpoint":
      return `same endpoint (${d.direction}): not policed`;
  }
}

function combine(egress: Decision, ingress: Decision): CellVerdict {
  const allowed = egress.action === "Allow" && ingress.action === "Allow";
  const decidedBy = egress.action === "Deny" ? egress : ingress.action === "Deny" ? ingress : ingress.reason === "not-enforced" ? egress : ingress;
  return { allowed, egress, ingress, decidedBy };
}

// ---------------------------------------------------------------- naive reference evaluator

function evaluateDirectionNaive(
  model: CompiledPolicySet,
  local: Peer,
  remote: Peer,
  d: Direction,
  probe: Probe,
  profileAction: "Allow" | "Deny",
): Decision {
  const proto = PROTOCOLS[probe.protocol]!;
  const srcPort = probe.sourcePort ?? 50000;
  const [src, dst] = d === "ingress" ? [remote, local] : [local, remote];
  for (const tier of model.tiers) {
    let tookPart = false;
    let passed = false;
    for (const p of tier.policies) {
      if (!p.types.has(d === "ingress" ? "Ingress" : "Egress")) continue;
      // Selector evaluated on every call: this is the "no precomputation" baseline.
      if (!policySelects(p, local)) continue;
      tookPart = true;
      for (const r of d === "ingress" ? p.ingress : p.egress) {
        if (!protocolOk(r, proto)) continue;
        if (r.ipVersion !== undefined && (src.ip.family !== r.ipVersion || dst.ip.family !== r.ipVersion)) continue;
        if (!entityMatchesPeer(r.source, src) || !entityMatchesPeer(r.destination, dst)) continue;
        if (!entityPortsOk(r.source, srcPort, proto, src) || !entityPortsOk(r.destination, probe.port, proto, dst)) continue;
        if (r.action === "Log") continue;
        if (r.action === "Pass") {
          passed = true;
          break;
        }
        return ruleDecision(p, r, d);
      }
      if (passed) break;
    }
    if (!tookPart || passed) continue;
    if (tier.defaultAction === "Deny") return END_OF_TIER(tier, d);
  }
  return PROFILE(profileAction, d);
}

/**
 * Evaluates one (source, destination, probe) from scratch: selectors matched on each call, every
 * policy considered. The reference semantics for tests and the benchmark's baseline.
 */
export function evaluatePairNaive(
  model: CompiledPolicySet,
  set: EndpointSet,
  srcIndex: number,
  dstIndex: number,
  probe: Probe,
  profileAction: "Allow" | "Deny" = "Deny",
): CellVerdict {
  const src = set.peers[srcIndex];
  const dst = set.peers[dstIndex];
  if (!src || !dst) throw new AppError("BAD_INPUT", `no endpoint at index ${!src ? srcIndex : dstIndex}`);
  if (src.endpoint.kind === "external" && dst.endpoint.kind === "external") {
    throw new AppError("BAD_INPUT", `${src.endpoint.id} → ${dst.endpoint.id}: neither side is a Calico endpoint`);
  }
  if (srcIndex === dstIndex) return combine(SAME_ENDPOINT("egress"), SAME_ENDPOINT("ingress"));
  const egress = src.endpoint.kind === "workload" ? evaluateDirectionNaive(model, src, dst, "egress", probe, profileAction) : NOT_ENFORCED("egress");
  const ingress = dst.endpoint.kind === "workload" ? evaluateDirectionNaive(model, dst, src, "ingress", probe, profileAction) : NOT_ENFORCED("ingress");
  return combine(egress, ingress);
}

// ---------------------------------------------------------------- the matrix

export class ReachabilityMatrix {
  readonly endpoints: readonly MatrixEndpoint[];
  readonly probes: readonly Probe[];
  readonly workloadCount: number;
  readonly decisions: readonly Decision[];
  readonly skipped: EndpointSet["skipped"];
  readonly ignoredPolicies: CompiledPolicySet["ignored"];
  /** [probe][local workload][peer] → decision id, per direction. */
  private readonly egressCodes: Uint16Array | Uint32Array;
  private readonly ingressCodes: Uint16Array | Uint32Array;
  private readonly notEnforced: { egress: number; ingress: number };
  private readonly same: { egress: number; ingress: number };

  constructor(args: {
    endpoints: MatrixEndpoint[];
    probes: readonly Probe[];
    workloadCount: number;
    decisions: Decision[];
    skipped: EndpointSet["skipped"];
    ignoredPolicies: CompiledPolicySet["ignored"];
    egressCodes: Uint16Array | Uint32Array;
    ingressCodes: Uint16Array | Uint32Array;
    notEnforced: { egress: number; ingress: number };
    same: { egress: number; ingress: number };
  }) {
    this.endpoints = args.endpoints;
    this.probes = args.probes;
    this.workloadCount = args.workloadCount;
    this.decisions = args.decisions;
    this.skipped = args.skipped;
    this.ignoredPolicies = args.ignoredPolicies;
    this.egressCodes = args.egressCodes;
    this.ingressCodes = args.ingressCodes;
    this.notEnforced = args.notEnforced;
    this.same = args.same;
  }

  private code(dir: Direction, probe: number, local: number, peer: number): number {
    const n = this.endpoints.length;
    const arr = dir === "egress" ? this.egressCodes : this.ingressCodes;
    return arr[(probe * this.workloadCount + local) * n + peer]!;
  }

  /** The verdict for one cell; AppError BAD_INPUT when both sides are external or an index is out of range. */
  verdict(src: number, dst: number, probe: number): CellVerdict {
    const n = this.endpoints.length;
    if (src < 0 || src >= n || dst < 0 || dst >= n || probe < 0 || probe >= this.probes.length) {
      throw new AppError("BAD_INPUT", `cell (${src}, ${dst}, ${probe}) is outside the matrix (${n} endpoints, ${this.probes.length} probes)`);
    }
    const srcW = src < this.workloadCount;
    const dstW = dst < this.workloadCount;
    if (!srcW && !dstW) throw new AppError("BAD_INPUT", `${this.endpoints[src]!.id} → ${this.endpoints[dst]!.id}: neither side is a Calico endpoint`);
    if (src === dst) return combine(this.decisions[this.same.egress]!, this.decisions[this.same.ingress]!);
    const e = srcW ? this.code("egress", probe, src, dst) : this.notEnforced.egress;
    const i = dstW ? this.code("ingress", probe, dst, src) : this.notEnforced.ingress;
    return combine(this.decisions[e]!, this.decisions[i]!);
  }

  /** Same answer as verdict().allowed without building the explanation (for whole-matrix scans). */
  allowed(src: number, dst: number, probe: number): boolean {
    const W = this.workloadCount;
    if (src === dst || src < 0 || dst < 0 || src >= this.endpoints.length || dst >= this.endpoints.length || (src >= W && dst >= W)) return this.verdict(src, dst, probe).allowed;
    if (src < W && this.decisions[this.code("egress", probe, src, dst)]!.action !== "Allow") return false;
    return dst >= W || this.decisions[this.code("ingress", probe, dst, src)]!.action === "Allow";
  }

  /** Every (src, dst, probe) where at least one side is a Calico endpoint. */
  *cells(): Generator<{ src: number; dst: number; probe: number }> {
    const n = this.endpoints.length;
    const cell = { src: 0, dst: 0, probe: 0 };
    for (let s = 0; s < n; s++) {
      for (let d = 0; d < n; d++) {
        if (s >= this.workloadCount && d >= this.workloadCount) continue;
        for (let p = 0; p < this.probes.length; p++) {
          // One reused object: callers destructure it at once; millions of cells stay cheap.
          cell.src = s;
          cell.dst = d;
          cell.probe = p;
          yield cell;
        }
      }
    }
  }
}

interface FastRule {
  decision: number;
  action: RuleAction;
  /** Per probe: does protocol, ipVersion and numeric ports allow a match at all? */
  probeOk: boolean[];
  /** Peers matching the rule's source / destination address and label criteria. */
  src: BitSet;
  dst: BitSet;
  /** Only when the rule names ports: peers whose named port fits, per probe. */
  namedSrc?: BitSet[];
  namedDst?: BitSet[];
}

function entitySet(e: CompiledEntity, ipVersion: 4 | 6 | undefined, index: LabelIndex, peers: Peer[], all: BitSet, nsSets: NamespaceSets): BitSet {
  let s = all.clone();
  // ipVersion restricts both ends of the packet to that address family.
  if (ipVersion !== undefined) s = BitSet.of(all.size, peers.flatMap((p, i) => (p.ip.family === ipVersion ? [i] : [])));
  if (e.selector || e.namespaceSelector) {
    s = s.and(e.selector ? index.select(e.selector) : index.universe);
    if (e.namespaceSelector) s = s.and(nsSets.matching(e.namespaceSelector));
    if (e.sameNamespace !== undefined) s = s.and(nsSets.of(e.sameNamespace));
  }
  if (e.notSelector) s = s.andNot(index.select(e.notSelector));
  if (e.nets || e.notNets) {
    const keep = new BitSet(all.size);
    for (let i = 0; i < peers.length; i++) {
      const ip = peers[i]!.ip;
      if (e.nets && !e.nets.some((c) => cidrContains(c, ip))) continue;
      if (e.notNets && e.notNets.some((c) => cidrContains(c, ip))) continue;
      keep.add(i);
    }
    s = s.and(keep);
  }
  return s;
}

class NamespaceSets {
  private readonly byNs = new Map<string, BitSet>();
  constructor(
    private readonly size: number,
    peers: Peer[],
  ) {
    for (let i = 0; i < peers.length; i++) {
      const ns = peers[i]!.endpoint.namespace;
      if (peers[i]!.endpoint.kind !== "workload" || ns === undefined) continue;
      let b = this.byNs.get(ns);
      if (!b) this.byNs.set(ns, (b = new BitSet(size)));
      b.add(i);
    }
  }
  of(ns: string): BitSet {
    return this.byNs.get(ns) ?? new BitSet(this.size);
  }
  matching(s: Selector): BitSet {
    const out = new BitSet(this.size);
    for (const [ns, b] of this.byNs) if (matches(s, namespaceLabels(ns))) out.orInPlace(b);
    return out;
  }
}

/**
 * Computes the reachability matrix of the given resources over their workload endpoints and the
 * given external peers, for each probe. Throws AppError BAD_INPUT when a policy uses a feature the
 * evaluator does not model (HTTP matches, service accounts/services), rather than guessing.
 */
export function computeReachability(input: EvaluationInput): ReachabilityMatrix {
  const model = compilePolicies(input.resources);
  const set = collectEndpoints(input.resources, input.externals ?? []);
  return computeReachabilityCompiled(model, set, input.probes, input.profileAction ?? "Deny");
}

export function computeReachabilityCompiled(
  model: CompiledPolicySet,
  set: EndpointSet,
  probes: readonly Probe[],
  profileAction: "Allow" | "Deny",
): ReachabilityMatrix {
  const { peers, workloadCount: W } = set;
  const N = peers.length;
  const P = probes.length;
  const all = BitSet.full(N);
  const index = new LabelIndex(
    N,
    peers.flatMap((p, i) => (p.endpoint.kind === "workload" ? [{ index: i, labels: p.endpoint.labels }] : [])),
  );
  const nsSets = new NamespaceSets(N, peers);
  const table = new DecisionTable();
  const notEnforced = { egress: table.id("ne|egress", () => NOT_ENFORCED("egress")), ingress: table.id("ne|ingress", () => NOT_ENFORCED("ingress")) };
  const same = { egress: table.id("same|egress", () => SAME_ENDPOINT("egress")), ingress: table.id("same|ingress", () => SAME_ENDPOINT("ingress")) };
  const profile = { egress: table.id("profile|egress", () => PROFILE(profileAction, "egress")), ingress: table.id("profile|ingress", () => PROFILE(profileAction, "ingress")) };
  const protoNums = probes.map((p) => PROTOCOLS[p.protocol]!);

  // Precompute, per direction, each tier's applicable policies per local endpoint (in order), with
  // their rules turned into sets. A policy's selector is evaluated once, for everyone.
  type FastPolicy = { rules: FastRule[] };
  type TierPlan = { tierIdx: number; endOfTier: number | null; perEndpoint: FastPolicy[][] };
  const plans: Record<Direction, TierPlan[]> = { ingress: [], egress: [] };
  for (const d of ["ingress", "egress"] as const) {
    model.tiers.forEach((tier, tierIdx) => {
      const perEndpoint: FastPolicy[][] = Array.from({ length: W }, () => []);
      let any = false;
      for (const p of tier.policies) {
        if (!p.types.has(d === "ingress" ? "Ingress" : "Egress")) continue;
        let selected = index.select(p.selector);
        if (p.namespace !== undefined) selected = selected.and(nsSets.of(p.namespace));
        if (p.namespaceSelector) selected = selected.and(nsSets.matching(p.namespaceSelector));
        if (selected.isEmpty()) continue;
        const rules = (d === "ingress" ? p.ingress : p.egress).map((r): FastRule => {
          const probeOk = probes.map(
            (pr, k) =>
              protocolOk(r, protoNums[k]!) &&
              (usesNamedPorts(r.source) || entityPortsOk(r.source, pr.sourcePort ?? 50000, protoNums[k]!, undefined)) &&
              (usesNamedPorts(r.destination) || entityPortsOk(r.destination, pr.port, protoNums[k]!, undefined)),
          );
          const named = (e: CompiledEntity, portOf: (pr: Probe) => number) =>
            usesNamedPorts(e)
              ? probes.map((pr, k) => BitSet.of(N, peers.flatMap((peer, i) => (entityPortsOk(e, portOf(pr), protoNums[k]!, peer) ? [i] : []))))
              : undefined;
          return {
            decision: r.action === "Allow" || r.action === "Deny" ? table.id(`r|${d}|${p.seq}|${r.index}`, () => ruleDecision(p, r, d)) : -1,
            action: r.action,
            probeOk,
            src: entitySet(r.source, r.ipVersion, index, peers, all, nsSets),
            dst: entitySet(r.destination, r.ipVersion, index, peers, all, nsSets),
            namedSrc: named(r.source, (pr) => pr.sourcePort ?? 50000),
            namedDst: named(r.destination, (pr) => pr.port),
          };
        });
        const fp: FastPolicy = { rules };
        selected.forEach((i) => {
          if (i < W) {
            perEndpoint[i]!.push(fp);
            any = true;
          }
        });
      }
      if (any) plans[d].push({ tierIdx, endOfTier: tier.defaultAction === "Deny" ? table.id(`eot|${d}|${tier.name}`, () => END_OF_TIER(tier, d)) : null, perEndpoint });
    });
  }

  const total = P * W * N;
  // Decision ids are few (a handful per rule); 16 bits hold them unless policies number in the tens of thousands.
  const make = () => (table.list.length < 0xffff ? new Uint16Array(total) : new Uint32Array(total));
  // Decision ids are only final after planning, so size the arrays now.
  const codes: Record<Direction, Uint16Array | Uint32Array> = { egress: make(), ingress: make() };

  const undecided = new BitSet(N);
  const passed = new BitSet(N);
  const hit = new BitSet(N);
  for (const d of ["ingress", "egress"] as const) {
    const arr = codes[d];
    for (let local = 0; local < W; local++) {
      for (let k = 0; k < P; k++) {
        const base = (k * W + local) * N;
        undecided.words.set(all.words);
        const assign = (set: BitSet, id: number) => set.forEach((i) => (arr[base + i] = id));
        for (const plan of plans[d]) {
          const policies = plan.perEndpoint[local]!;
          if (policies.length === 0) continue;
          passed.words.fill(0);
          for (const fp of policies) {
            for (const r of fp.rules) {
              if (!r.probeOk[k]) continue;
              // The local side of the rule must match this endpoint; the remote side selects peers.
              const localSet = d === "ingress" ? r.dst : r.src;
              if (!localSet.has(local)) continue;
              const localNamed = d === "ingress" ? r.namedDst : r.namedSrc;
              if (localNamed && !localNamed[k]!.has(local)) continue;
              const remote = d === "ingress" ? r.src : r.dst;
              const remoteNamed = d === "ingress" ? r.namedSrc : r.namedDst;
              let nonEmpty = false;
              for (let w = 0; w < hit.words.length; w++) {
                const x = undecided.words[w]! & remote.words[w]! & (remoteNamed ? remoteNamed[k]!.words[w]! : 0xffffffff);
                hit.words[w] = x;
                if (x !== 0) nonEmpty = true;
              }
              if (!nonEmpty || r.action === "Log") continue;
              if (r.action === "Pass") passed.orInPlace(hit);
              else assign(hit, r.decision);
              undecided.andNotInPlace(hit);
            }
          }
          // Whatever no rule in this tier matched meets the tier's default.
          if (plan.endOfTier !== null) assign(undecided, plan.endOfTier);
          else passed.orInPlace(undecided);
          undecided.words.set(passed.words);
        }
        assign(undecided, profile[d]);
      }
    }
  }

  return new ReachabilityMatrix({
    endpoints: set.endpoints,
    probes,
    workloadCount: W,
    decisions: table.list,
    skipped: set.skipped,
    ignoredPolicies: model.ignored,
    egressCodes: codes.egress,
    ingressCodes: codes.ingress,
    notEnforced,
    same,
  });
}
