// The isolation contract, stated independently of Calico's mechanics and checked against the
// reachability matrix: between sessions nothing, inside a session everything, agents reach only the
// control and exporter ports, sessions reach storage and their project's allow-list — and nothing else.
import { cidrContains, nthAddress, parseCidr, parseIp } from "./ip";
import { allObjects, parseTenancy, renderPolicy, type RenderOptions, type RenderedPolicy } from "./render-policy";
import { computeReachability, describeDecision, type CellVerdict, type ExternalPeer, type Probe, type ReachabilityMatrix } from "./reachability";
import { LABEL_PROJECT_ID, LABEL_SESSION_ID, type Tenancy, type TenancyInput } from "./types";

/** A public documentation address (TEST-NET-3) standing in for "the internet". */
export const INTERNET_PROBE_IP = "203.0.113.10";

/**
 * Plain-IP peers worth probing for a tenancy: every agent and controller, one address in each
 * storage network, one inside each egress allow-list CIDR, and an internet address.
 */
export function externalPeersFor(t: Tenancy): ExternalPeer[] {
  const out: ExternalPeer[] = [];
  const seen = new Set<string>();
  const add = (id: string, ip: string, role: string) => {
    if (seen.has(ip)) return;
    seen.add(ip);
    out.push({ id, ip, role });
  };
  for (const a of [...t.controlPlane.agents].sort((x, y) => (x.host < y.host ? -1 : 1))) add(`agent:${a.host}`, a.ip, "agent");
  for (const c of [...t.controlPlane.controllers].sort()) add(`controller:${c}`, c, "controller");
  for (const s of [...t.storageNetworks].sort()) add(`storage:${s}`, nthAddress(parseCidr(s)!, 1), "storage");
  for (const projectId of Object.keys(t.projectEgress).sort()) {
    for (const r of t.projectEgress[projectId]!) add(`egress:${projectId}:${r.cidr}`, nthAddress(parseCidr(r.cidr)!, 1), "egress-allow-list");
  }
  add("internet", INTERNET_PROBE_IP, "internet");
  return out;
}

/** The ports of interest: control and exporter ports, the agent's gRPC port, SSH, and an arbitrary one. */
export function defaultProbes(t: Tenancy): Probe[] {
  const ports = t.controlPlane.ports;
  const probes: Probe[] = [
    ...ports.kernelRunner.map((p, i) => ({ protocol: "TCP" as const, port: p, name: `kernel-runner-${i}` })),
    { protocol: "TCP", port: ports.dcgmExporter, name: "dcgm-exporter" },
    { protocol: "TCP", port: ports.nodeExporter, name: "node-exporter" },
    { protocol: "TCP", port: ports.agentGrpc, name: "agent-grpc" },
    { protocol: "TCP", port: 2200, name: "sshd" },
    { protocol: "TCP", port: 443, name: "https" },
    { protocol: "UDP", port: 53, name: "dns" },
  ];
  const seen = new Set<string>();
  return probes.filter((p) => {
    const k = `${p.protocol}/${p.port}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export interface IsolationViolation {
  src: string;
  dst: string;
  probe: string;
  expected: "allowed" | "denied";
  why: string;
  /** What the evaluator says decided it. */
  actual: string;
}

export type Expectation = (matrix: ReachabilityMatrix, src: number, dst: number, probeIdx: number) => { allowed: boolean; why: string };

/** What the isolation contract says about a cell, with the reason in words (lookups prepared once per tenancy). */
export function isolationExpectation(t: Tenancy): Expectation {
  const cp = t.controlPlane;
  const controlPorts = new Set([...cp.ports.kernelRunner, cp.ports.dcgmExporter, cp.ports.nodeExporter]);
  const controlIps = new Set([...cp.agents.map((a) => a.ip), ...cp.controllers]);
  const storage = t.storageNetworks.map((n) => parseCidr(n)!);
  const egress = new Map(
    Object.entries(t.projectEgress).map(([project, rules]) => [
      project,
      rules.map((r) => {
        const ports = r.ports && r.ports.length > 0 ? r.ports : undefined;
        return { cidr: parseCidr(r.cidr)!, ports, protocol: r.protocol ?? (ports ? "TCP" : undefined) };
      }),
    ]),
  );
  return (matrix, src, dst, probeIdx) => {
    const s = matrix.endpoints[src]!;
    const d = matrix.endpoints[dst]!;
    const probe = matrix.probes[probeIdx]!;
    if (src === dst) return { allowed: true, why: "same endpoint" };
    if (s.kind === "workload" && d.kind === "workload") {
      const same = s.labels[LABEL_SESSION_ID] !== undefined && s.labels[LABEL_SESSION_ID] === d.labels[LABEL_SESSION_ID];
      return same ? { allowed: true, why: "members of one session reach each other on every port" } : { allowed: false, why: "no path between sessions" };
    }
    if (d.kind === "workload") {
      if (s.role === "agent" && probe.protocol === "TCP" && controlPorts.has(probe.port)) return { allowed: true, why: "agents open control and exporter ports" };
      return { allowed: false, why: s.role === "agent" ? "agents reach only control and exporter ports" : "nothing but agents may open a session endpoint" };
    }
    if (controlIps.has(d.ip)) return { allowed: false, why: "sessions never reach agents or controllers" };
    const ip = parseIp(d.ip)!;
    if (storage.some((c) => cidrContains(c, ip))) return { allowed: true, why: "storage networks are reachable" };
    const project = s.labels[LABEL_PROJECT_ID];
    const rules = project !== undefined ? (egress.get(project) ?? []) : [];
    const ok = rules.some((r) => cidrContains(r.cidr, ip) && (!r.protocol || r.protocol === probe.protocol) && (!r.ports || r.ports.includes(probe.port)));
    return ok ? { allowed: true, why: `project ${project} allows this egress` } : { allowed: false, why: "egress outside storage and the project's allow-list is denied" };
  };
}

function verdictText(v: CellVerdict): string {
  return v.allowed ? `allowed (${describeDecision(v.egress)}; ${describeDecision(v.ingress)})` : `denied: ${describeDecision(v.decidedBy)}`;
}

/** Every cell where the matrix disagrees with the isolation contract (empty = isolated as designed). */
export function findIsolationViolations(tenancy: Tenancy, matrix: ReachabilityMatrix, limit = 100): IsolationViolation[] {
  const out: IsolationViolation[] = [];
  const expect = isolationExpectation(tenancy);
  for (const { src, dst, probe } of matrix.cells()) {
    const exp = expect(matrix, src, dst, probe);
    if (matrix.allowed(src, dst, probe) === exp.allowed) continue;
    const v = matrix.verdict(src, dst, probe);
    const p = matrix.probes[probe]!;
    out.push({
      src: matrix.endpoints[src]!.id,
      dst: matrix.endpoints[dst]!.id,
      probe: `${p.protocol}/${p.port}${p.name ? ` (${p.name})` : ""}`,
      expected: exp.allowed ? "allowed" : "denied",
      why: exp.why,
      actual: verdictText(v),
    });
    if (out.length >= limit) break;
  }
  return out;
}

/** Render a tenancy and evaluate it: what the console's Network page shows. */
export function reachabilityForTenancy(
  tenancy: Tenancy | TenancyInput,
  options: RenderOptions & { probes?: Probe[] } = {},
): { tenancy: Tenancy; rendered: RenderedPolicy; matrix: ReachabilityMatrix } {
  const t = parseTenancy(tenancy);
  const rendered = renderPolicy(t, options);
  const matrix = computeReachability({ resources: allObjects(rendered), externals: externalPeersFor(t), probes: options.probes ?? defaultProbes(t) });
  return { tenancy: t, rendered, matrix };
}
