// The files the agent writes into a kernel's scratch config directory, which the guest sees read-only at
// /home/config (BEP-1051 A.7): environ.txt and intrinsic-ports.json for the kernel runner, resource.txt
// for the agent's own recovery, hosts for the cluster's names. storage-mounts.json is in storage-mounts.ts.
import { AppError } from "../../errors";

// ---------------------------------------------------------------------------------------------------
// environ.txt

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * One value in environ.txt's escaping: backslash, newline and carriage return become \\, \n and \r, so
 * every variable stays on one line. Values without those characters are written as they are, which is
 * all Backend.AI's runner (a plain split at the first "=") has ever read.
 * Throws BAD_INPUT for a NUL character, which no environment can carry.
 */
export function escapeEnvironValue(value: string): string {
  if (value.includes("\0")) throw new AppError("BAD_INPUT", "an environment value contains a NUL character");
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
}

/** The inverse of escapeEnvironValue; an unknown escape keeps its backslash. */
export function unescapeEnvironValue(text: string): string {
  return text.replace(/\\([\\nr])/g, (_, c: string) => (c === "n" ? "\n" : c === "r" ? "\r" : "\\"));
}

/**
 * environ.txt: one KEY=VALUE per line in the order given, values escaped, ending with a newline.
 * Throws BAD_INPUT naming the key when a key is not a shell identifier or appears twice.
 */
export function renderEnvironTxt(vars: ReadonlyArray<readonly [string, string]>): string {
  const seen = new Set<string>();
  const lines: string[] = [];
  for (const [key, value] of vars) {
    if (!ENV_KEY.test(key)) throw new AppError("BAD_INPUT", `environment variable name ${JSON.stringify(key)} is not a valid name (letters, digits, "_", not starting with a digit)`);
    if (seen.has(key)) throw new AppError("BAD_INPUT", `environment variable ${key} is set twice`);
    seen.add(key);
    lines.push(`${key}=${escapeEnvironValue(value)}`);
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}

/** Reads environ.txt back (recovery, tests): pairs in file order. Throws BAD_INPUT on a line without "=". */
export function parseEnvironTxt(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const [i, line] of text.split("\n").entries()) {
    if (line === "") continue;
    const eq = line.indexOf("=");
    if (eq <= 0) throw new AppError("BAD_INPUT", `environ.txt line ${i + 1} has no KEY=VALUE`);
    out.push([line.slice(0, eq), unescapeEnvironValue(line.slice(eq + 1))]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// intrinsic-ports.json

/** The runner's service ports inside the guest (BEP A.7's example values, Backend.AI's defaults). */
export const DEFAULT_INTRINSIC_PORTS = { replin: 2000, replout: 2001, sshd: 2200, ttyd: 7681 } as const;

export type IntrinsicPorts = Record<string, number>;

/** intrinsic-ports.json. Throws BAD_INPUT for a port outside 1–65535 or two services on one port. */
export function renderIntrinsicPortsJson(ports: IntrinsicPorts = DEFAULT_INTRINSIC_PORTS): string {
  const used = new Map<number, string>();
  for (const [service, port] of Object.entries(ports)) {
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AppError("BAD_INPUT", `intrinsic port for ${service} is ${port}; allowed: 1–65535`);
    const other = used.get(port);
    if (other !== undefined) throw new AppError("BAD_INPUT", `intrinsic ports of ${other} and ${service} are both ${port}`);
    used.set(port, service);
  }
  return `${JSON.stringify(ports, null, 2)}\n`;
}

// ---------------------------------------------------------------------------------------------------
// resource.txt — read only by the agent, after a restart (BEP A.7: the runner never reads it)

export interface ResourceRecord {
  sessionId: string;
  kernelId: string;
  clusterRole: string;
  clusterIdx: number;
  slots: { cpu: number; memBytes: number; "cuda.device": number };
  /** PCI addresses of the passed-through GPUs, in allocation order. */
  gpuAddresses: string[];
  /** The IOMMU group of each GPU, same order. */
  iommuGroups: number[];
  /** Co-attached RDMA NICs (PCI addresses), if any. */
  nicAddresses: string[];
  /** "hostPath:mountPath:ro|rw" per vfolder. */
  mounts: string[];
  /** Containerd ids, known once created; empty before. */
  sandboxId: string;
  containerId: string;
}

const RESOURCE_KEYS = [
  "SESSION_ID", "KERNEL_ID", "CLUSTER_ROLE", "CLUSTER_IDX", "SLOTS", "CUDA_VFIO_DEVICES", "CUDA_VFIO_IOMMU_GROUPS",
  "RDMA_VFIO_DEVICES", "MOUNTS", "SANDBOX_ID", "CID",
] as const;

/** resource.txt: KEY=VALUE lines, Backend.AI's SLOTS JSON and CID names kept where they exist. */
export function renderResourceTxt(r: ResourceRecord): string {
  const slots = { cpu: String(r.slots.cpu), mem: String(r.slots.memBytes), "cuda.device": String(r.slots["cuda.device"]) };
  const lines: [string, string][] = [
    ["SESSION_ID", r.sessionId],
    ["KERNEL_ID", r.kernelId],
    ["CLUSTER_ROLE", r.clusterRole],
    ["CLUSTER_IDX", String(r.clusterIdx)],
    ["SLOTS", JSON.stringify(slots)],
    ["CUDA_VFIO_DEVICES", r.gpuAddresses.join(",")],
    ["CUDA_VFIO_IOMMU_GROUPS", r.iommuGroups.join(",")],
    ["RDMA_VFIO_DEVICES", r.nicAddresses.join(",")],
    ["MOUNTS", r.mounts.join(",")],
    ["SANDBOX_ID", r.sandboxId],
    ["CID", r.containerId],
  ];
  return `${lines.map(([k, v]) => `${k}=${escapeEnvironValue(v)}`).join("\n")}\n`;
}

const list = (s: string) => (s === "" ? [] : s.split(","));

/**
 * Reads resource.txt back. Throws AppError INTERNAL naming the key when a line is missing or unreadable:
 * the agent wrote this file itself, so damage means the state directory was tampered with.
 */
export function parseResourceTxt(text: string): ResourceRecord {
  const map = new Map(parseEnvironTxt(text));
  const get = (k: (typeof RESOURCE_KEYS)[number]) => {
    const v = map.get(k);
    if (v === undefined) throw new AppError("INTERNAL", `resource.txt has no ${k} line`);
    return v;
  };
  for (const k of RESOURCE_KEYS) get(k);
  let slots: { cpu?: unknown; mem?: unknown; "cuda.device"?: unknown };
  const slotsText = get("SLOTS");
  try {
    slots = JSON.parse(slotsText) as typeof slots;
  } catch {
    throw new AppError("INTERNAL", "resource.txt SLOTS is not JSON");
  }
  const num = (v: unknown, k: string) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new AppError("INTERNAL", `resource.txt SLOTS.${k} is not a number`);
    return n;
  };
  const groups = list(get("CUDA_VFIO_IOMMU_GROUPS")).map((g) => num(g, "iommu group"));
  return {
    sessionId: get("SESSION_ID"),
    kernelId: get("KERNEL_ID"),
    clusterRole: get("CLUSTER_ROLE"),
    clusterIdx: num(get("CLUSTER_IDX"), "CLUSTER_IDX"),
    slots: { cpu: num(slots.cpu, "cpu"), memBytes: num(slots.mem, "mem"), "cuda.device": num(slots["cuda.device"], "cuda.device") },
    gpuAddresses: list(get("CUDA_VFIO_DEVICES")),
    iommuGroups: groups,
    nicAddresses: list(get("RDMA_VFIO_DEVICES")),
    mounts: list(get("MOUNTS")),
    sandboxId: get("SANDBOX_ID"),
    containerId: get("CID"),
  };
}

// ---------------------------------------------------------------------------------------------------
// hosts — bind-mounted as /etc/hosts so cluster members find each other by name (BEP A.10)

export interface ClusterMember {
  /** main1, sub1, sub2… */
  hostname: string;
  /** The member's Calico address; null while it is not known yet (the file is rewritten when it is). */
  address: string | null;
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/**
 * The hosts file: localhost lines, then "address<TAB>hostname" per member whose address is known.
 * Throws BAD_INPUT for a hostname that is not a DNS label, an address that is not IPv4, or a name used twice.
 */
export function renderHostsFile(members: readonly ClusterMember[]): string {
  const lines = ["127.0.0.1\tlocalhost", "::1\tlocalhost ip6-localhost ip6-loopback"];
  const seen = new Set<string>();
  for (const m of members) {
    if (!HOSTNAME.test(m.hostname)) throw new AppError("BAD_INPUT", `cluster hostname ${JSON.stringify(m.hostname)} is not a valid host name`);
    if (seen.has(m.hostname)) throw new AppError("BAD_INPUT", `cluster hostname ${m.hostname} appears twice`);
    seen.add(m.hostname);
    if (m.address === null) continue;
    if (!IPV4.test(m.address)) throw new AppError("BAD_INPUT", `address of ${m.hostname} is ${JSON.stringify(m.address)}, not an IPv4 address`);
    lines.push(`${m.address}\t${m.hostname}`);
  }
  return `${lines.join("\n")}\n`;
}
