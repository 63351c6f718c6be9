// Tenancy from what the database knows: live sessions with their kernels, the agents' addresses and
// the controller's. Pure mapping (the router reads the rows); the output feeds renderPolicy and the
// reachability evaluation unchanged.
//
// Addresses: no Calico IPAM is connected to Hypercell yet (the hosts may be simulated), so each
// kernel gets a *simulated* address standing in for the one Calico IPAM would hand its VM from the
// pod pool 10.244.0.0/16. It is derived from the kernel id (FNV-1a, then the next free address in
// the pool on a collision, kernels taken in id order), so it is deterministic and stays put while
// other sessions come and go. Once the agent reports the VM's real address, that replaces it.
import { dnsSafe } from "./render-policy";
import { DEFAULT_CONTROL_PORTS, type Tenancy, type TenancySession } from "./types";

/** The pool simulated member addresses come from (Calico's usual default IPv4 pod CIDR). */
export const SIMULATED_POOL = "10.244.0.0/16";
const POOL_BASE: [number, number] = [10, 244];
// Fourth octet 1..254 only (no .0 / .255, which read like network/broadcast addresses).
const HOSTS_PER_ROW = 254;
const POOL_SIZE = 256 * HOSTS_PER_ROW;

export interface DbKernelRow {
  id: string;
  clusterRole: string;
  clusterIdx: number;
  clusterHostname: string;
  /** null until the scheduler placed the kernel on a host. */
  agentId: string | null;
}

export interface DbSessionRow {
  id: string;
  name: string;
  status: string;
  projectId: string;
  projectName: string;
  resourceGroupName: string;
  kernels: DbKernelRow[];
}

export interface DbAgentRow {
  id: string;
  /** The gRPC address the controller dials ("10.0.0.12:6001", "unix:///run/…"). */
  address: string;
  status: string;
}

export interface MemberInfo {
  sessionId: string;
  kernelId: string;
  clusterRole: string;
  clusterHostname: string;
  agentId: string;
  /** The Calico node name used for the agent (the agent id, made a valid host name if it is not one). */
  host: string;
  ip: string;
}

export interface AgentInfo {
  id: string;
  host: string;
  address: string;
  /** The IPv4 address allowed to open control ports, or null (then the agent is not in the policy). */
  ip: string | null;
  note?: string;
}

export interface TenancyFromDb {
  tenancy: Tenancy;
  /** kernel id → member, for every placed kernel of every live session. */
  members: Map<string, MemberInfo>;
  /** Kernels of live sessions not placed on a host yet: no VM, no endpoint, nothing to police. */
  unplaced: { sessionId: string; kernelId: string; clusterHostname: string }[];
  /** Live sessions left out because none of their kernels is placed. */
  unplacedSessions: string[];
  agents: AgentInfo[];
  controllers: string[];
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HOST_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const LABEL_VALUE = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function poolAddress(offset: number): string {
  return `${POOL_BASE[0]}.${POOL_BASE[1]}.${Math.floor(offset / HOSTS_PER_ROW)}.${(offset % HOSTS_PER_ROW) + 1}`;
}

/**
 * Simulated addresses for kernels: FNV-1a of the id into the pool, linear probing past addresses
 * already taken (or reserved, e.g. an agent's). Kernels are taken in id order, so the result does not
 * depend on the order given.
 */
export function simulatedAddresses(kernelIds: readonly string[], reserved: Iterable<string> = []): Map<string, string> {
  const taken = new Set(reserved);
  const out = new Map<string, string>();
  for (const id of [...new Set(kernelIds)].sort()) {
    let offset = fnv1a(id) % POOL_SIZE;
    for (let tries = 0; tries < POOL_SIZE; tries++) {
      const ip = poolAddress(offset);
      if (!taken.has(ip)) {
        taken.add(ip);
        out.set(id, ip);
        break;
      }
      offset = (offset + 1) % POOL_SIZE;
    }
  }
  return out;
}

/** The IPv4 host of a gRPC address ("10.0.0.12:6001" → "10.0.0.12"); null for unix sockets, names, IPv6, 0.0.0.0. */
export function ipv4OfAddress(address: string): string | null {
  const a = address.trim().replace(/^(dns|ipv4|grpcs?|https?):(\/\/\/?)?/, "");
  if (a.startsWith("unix:") || a.startsWith("/")) return null;
  const host = a.includes(":") ? a.slice(0, a.lastIndexOf(":")) : a;
  if (!IPV4.test(host) || host === "0.0.0.0") return null;
  return host;
}

/** The Calico node name for an agent: its id when that is a valid host name, else a DNS-safe form. */
export function hostForAgent(agentId: string): string {
  return HOST_NAME.test(agentId) && agentId.length <= 253 ? agentId : dnsSafe(agentId);
}

function labelSafe(v: string, fallback: string): string {
  if (LABEL_VALUE.test(v) && v.length <= 63) return v;
  const s = v.replace(/[^-A-Za-z0-9_.]+/g, "-").replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "").slice(0, 63);
  return s || fallback;
}

/**
 * Maps live sessions (with kernels), agents and controller addresses to a Tenancy. Kernels without
 * a host are left out (listed in `unplaced`); a session with none placed is left out entirely.
 * Agents whose address is not IPv4 (a unix socket, a DNS name) cannot be named in a Calico rule;
 * they are listed with a note and not allowed in.
 */
export function tenancyFromDb(input: { sessions: readonly DbSessionRow[]; agents: readonly DbAgentRow[]; controllers?: readonly string[] }): TenancyFromDb {
  const agents: AgentInfo[] = [...input.agents]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((a) => {
      const ip = ipv4OfAddress(a.address);
      return {
        id: a.id,
        host: hostForAgent(a.id),
        address: a.address,
        ip,
        ...(ip ? {} : { note: `address ${a.address} is not an IPv4 address, so no Calico rule can name it; this agent cannot open control ports` }),
      };
    });
  const controllers = [...new Set((input.controllers ?? []).map((c) => ipv4OfAddress(c) ?? (IPV4.test(c) ? c : null)).filter((c): c is string => c !== null))].sort();
  const reserved = [...agents.flatMap((a) => (a.ip ? [a.ip] : [])), ...controllers];
  const placed = input.sessions.flatMap((s) => s.kernels.filter((k) => k.agentId !== null).map((k) => k.id));
  const addresses = simulatedAddresses(placed, reserved);

  const members = new Map<string, MemberInfo>();
  const unplaced: TenancyFromDb["unplaced"] = [];
  const unplacedSessions: string[] = [];
  const sessions: TenancySession[] = [];
  for (const s of [...input.sessions].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) {
    const kernels = [...s.kernels].sort((a, b) => a.clusterIdx - b.clusterIdx || (a.id < b.id ? -1 : 1));
    const ms: TenancySession["members"] = [];
    for (const k of kernels) {
      if (k.agentId === null) {
        unplaced.push({ sessionId: s.id, kernelId: k.id, clusterHostname: k.clusterHostname });
        continue;
      }
      const host = hostForAgent(k.agentId);
      const ip = addresses.get(k.id)!;
      const clusterRole = labelSafe(k.clusterRole, "sub");
      ms.push({ kernelId: k.id, clusterRole, host, ip });
      members.set(k.id, { sessionId: s.id, kernelId: k.id, clusterRole, clusterHostname: k.clusterHostname, agentId: k.agentId, host, ip });
    }
    if (ms.length === 0) {
      unplacedSessions.push(s.id);
      continue;
    }
    sessions.push({ id: s.id, projectId: labelSafe(s.projectId, "project"), resourceGroup: labelSafe(s.resourceGroupName, "default"), members: ms });
  }

  const tenancy: Tenancy = {
    sessions,
    // Hypercell has no per-project egress allow-list or storage network configured yet.
    projectEgress: {},
    storageNetworks: [],
    controlPlane: {
      agents: agents.flatMap((a) => (a.ip ? [{ host: a.host, ip: a.ip }] : [])),
      controllers,
      ports: { ...DEFAULT_CONTROL_PORTS, kernelRunner: [...DEFAULT_CONTROL_PORTS.kernelRunner] },
    },
  };
  return { tenancy, members, unplaced, unplacedSessions, agents, controllers };
}
