// The agent's TOML configuration: `[agent]` and `[kata]` with every key of BEP-1051's configuration table
// (spec A.3) and its default. Keys may be written with hyphens or underscores (the BEP's Pydantic
// AliasChoices); they are compared in their hyphen form. A wrong type, an unknown key or a bad value
// stops the agent with one line per problem naming the key, its line in the file, the value and what is
// allowed — every problem at once, so an admin fixes the file in one pass.
import { readFile } from "node:fs/promises";
import os from "node:os";
import { parse, TomlError } from "smol-toml";
import { z } from "zod";
import { AppError } from "../../errors";
import { indexLocations, locateTomlKeys, pathKey, type KeyLocation, type TomlPath } from "./toml-locations";

// ---------------------------------------------------------------------------------------------------
// Value rules

const absolutePath = z.string().regex(/^\//);
const optionalPath = z.union([z.literal(""), absolutePath]);
const hostPort = z.string().refine((s) => parseHostPort(s) !== null);
const listenAddress = z.string().refine((s) => /^unix:\/\/?\/[^\0]+$/.test(s) || parseHostPort(s) !== null);
const int = (min: number, max: number) => z.number().int().min(min).max(max);
const name = (re: RegExp) => z.string().regex(re);

function parseHostPort(s: string): { host: string; port: number } | null {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?):(\d{1,5})$/.exec(s);
  if (!m) return null;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? { host: m[1]!, port } : null;
}

function isIPv4(s: string): boolean {
  const parts = s.split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
const cidr = z.string().refine((s) => {
  const [ip, len, extra] = s.split("/");
  return extra === undefined && ip !== undefined && isIPv4(ip) && len !== undefined && /^\d{1,2}$/.test(len) && Number(len) <= 32;
});
const optionalIp = z.string().refine((s) => s === "" || isIPv4(s));
const httpUrl = z.string().refine((s) => {
  if (s === "") return true;
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
});

// ---------------------------------------------------------------------------------------------------
// Every key: its rule, default, what is allowed (for messages) and its comment in the sample.

interface FieldDoc {
  /** Hyphenated key. */
  key: string;
  /** What is allowed, as error messages and the sample say it. */
  allowed: string;
  /** One or two sentences for the sample. */
  doc: string;
  /** TOML literal printed in the sample; null prints the key commented out with `example`. */
  sample: string | null;
  example?: string;
}

export const AGENT_FIELDS: FieldDoc[] = [
  { key: "id", allowed: "1–63 letters, digits, '.', '_' or '-', starting with a letter or digit", doc: 'Agent ID shown in the console. Default: "i-" followed by the host name.', sample: null, example: '"i-gpu-node-01"' },
  { key: "backend", allowed: 'only "kata" (Hypercell agents run Kata Containers VMs)', doc: "Container backend; Hypercell supports Kata Containers only.", sample: '"kata"' },
  { key: "resource-group", allowed: "a resource group name: letters, digits, '.', '_' or '-', up to 64", doc: "Resource group (scaling group) the agent joins; all its agents must use the same backend.", sample: '"default"' },
  { key: "listen-address", allowed: 'host:port (port 1–65535) or unix:///path', doc: "Where the agent's gRPC server listens for the controller.", sample: '"0.0.0.0:6001"' },
  { key: "controller-address", allowed: 'host:port of the controller\'s agent gateway, e.g. "10.0.0.5:6100" (required)', doc: "The controller's agent gateway; the agent joins the control plane there by itself.", sample: '"127.0.0.1:6100"' },
  { key: "join-token", allowed: "a string (empty when the agent already joined and keeps its identity in state-dir)", doc: "Join token issued by an admin in the console; used once to register the agent.", sample: '""' },
  { key: "state-dir", allowed: "an absolute path", doc: "Where the agent keeps its identity, original drivers of bound GPUs and allocation state.", sample: '"/var/lib/hypercell/agent"' },
  { key: "sysfs-root", allowed: "an absolute path to a directory laid out like /sys", doc: "sysfs to discover PCI devices in; change only for tests and simulations.", sample: '"/sys"' },
  { key: "heartbeat-interval", allowed: "seconds, a number greater than 0 and at most 300", doc: "Seconds between heartbeats; the controller marks the agent LOST after two missed ones.", sample: "20" },
  { key: "log-level", allowed: 'one of "debug", "info", "warn", "error"', doc: "Log verbosity.", sample: '"info"' },
  { key: "tls-cert", allowed: "an absolute path (tls-cert, tls-key and tls-ca go together)", doc: "Agent certificate (PEM) for mutual TLS with the controller; omit all three TLS keys for plaintext.", sample: null, example: '"/etc/hypercell/tls/agent.crt"' },
  { key: "tls-key", allowed: "an absolute path (tls-cert, tls-key and tls-ca go together)", doc: "Private key (PEM) of tls-cert.", sample: null, example: '"/etc/hypercell/tls/agent.key"' },
  { key: "tls-ca", allowed: "an absolute path (tls-cert, tls-key and tls-ca go together)", doc: "CA bundle (PEM) the controller's certificate must chain to.", sample: null, example: '"/etc/hypercell/tls/ca.crt"' },
];

export const KATA_FIELDS: FieldDoc[] = [
  { key: "hypervisor", allowed: 'one of "cloud-hypervisor", "qemu", "dragonball"', doc: "VMM for the session VMs. dragonball has no TDX/SEV-SNP support.", sample: '"cloud-hypervisor"' },
  { key: "default-vcpus", allowed: "an integer from 1 to 256", doc: "vCPUs each VM boots with; more are hot-plugged to the session's request.", sample: "2" },
  { key: "default-memory-mb", allowed: "an integer from 128 to 1048576", doc: "Guest RAM (MiB) each VM boots with.", sample: "2048" },
  { key: "vm-overhead-mb", allowed: "an integer from 0 to 65536", doc: "Host memory (MiB) per VM for the VMM, guest kernel and kata-agent; deducted from the memory the agent offers.", sample: "64" },
  { key: "kernel-path", allowed: "an absolute path", doc: "Guest kernel.", sample: '"/opt/kata/share/kata-containers/vmlinux.container"' },
  { key: "initrd-path", allowed: 'an absolute path, or "" to boot from rootfs-path', doc: "Guest initrd; empty means the rootfs image is used.", sample: '""' },
  { key: "rootfs-path", allowed: "an absolute path", doc: "Guest VM rootfs image (the attested mini-OS, not the user's image).", sample: '"/opt/kata/share/kata-containers/kata-containers.img"' },
  { key: "shared-fs", allowed: 'one of "virtio-fs", "virtio-9p" (deprecated)', doc: "How /home/config is shared into the guest.", sample: '"virtio-fs"' },
  { key: "virtiofsd-path", allowed: "an absolute path", doc: "virtiofsd binary (ships with Kata).", sample: '"/opt/kata/libexec/virtiofsd"' },
  { key: "virtio-fs-cache-size", allowed: "an integer from 0 to 1048576 (MiB)", doc: "DAX window in MiB; 0 turns DAX off (recommended).", sample: "0" },
  { key: "network-model", allowed: 'one of "tcfilter", "macvtap"', doc: "How the VM's tap device is bridged to the Calico veth.", sample: '"tcfilter"' },
  { key: "enable-iommu", allowed: "true or false", doc: "Give the guest a virtual IOMMU.", sample: "true" },
  { key: "hotplug-vfio", allowed: 'one of "root-port", "bridge-port", "switch-port", "no-port"', doc: 'Where VFIO devices are hot-plugged in the guest; "switch-port" replicates the host\'s PCIe switches (GPUDirect RDMA).', sample: '"root-port"' },
  { key: "pcie-switch-port", allowed: "an integer from 0 to 32 (at least 1 with hotplug-vfio = \"switch-port\")", doc: 'Switch ports Kata creates in the guest when hotplug-vfio = "switch-port".', sample: "8" },
  { key: "containerd-socket", allowed: "an absolute path", doc: "containerd's gRPC socket.", sample: '"/run/containerd/containerd.sock"' },
  { key: "kata-runtime-class", allowed: "a runtime name: lowercase letters, digits, '.', '_' or '-'", doc: "Runtime name registered in containerd for io.containerd.kata.v2.", sample: '"kata"' },
  { key: "confidential-guest", allowed: "true or false", doc: "Run every VM in a TEE (CoCo). BEP-1051 has no non-confidential mode; false is for development only.", sample: "true" },
  { key: "guest-attestation", allowed: 'one of "tdx", "sev-snp"', doc: "TEE type of the host's CPUs.", sample: '"tdx"' },
  { key: "kbs-endpoint", allowed: 'an http:// or https:// URL, or ""', doc: "Key Broker Service that releases image keys and secrets after attestation.", sample: '""' },
  { key: "kernel-modules", allowed: "a list of module names (letters, digits, '_' or '-')", doc: "Modules loaded in the guest when the sandbox is created.", sample: '["nfs", "nfsv4"]' },
  { key: "guest-hook-path", allowed: "an absolute path", doc: "Where OCI prestart hooks live in the guest rootfs.", sample: '"/usr/share/oci/hooks"' },
  { key: "max-gpus-per-vm", allowed: "an integer from 1 to 16", doc: "Most GPUs one VM may get; VMs with many large BARs boot slowly.", sample: "8" },
  { key: "storage-mounts", allowed: "an array of tables [[kata.storage-mounts]] with fs-type, source, mountpoint, options", doc: "Volumes the guest mounts itself (NFS, Lustre, WekaFS), keeping RDMA.", sample: null },
  { key: "storage-nic", allowed: "a table [kata.storage-nic] with device, address, gateway", doc: "Storage network interface configured inside the guest.", sample: null },
];

export const STORAGE_MOUNT_FIELDS: FieldDoc[] = [
  { key: "fs-type", allowed: 'one of "nfs", "nfs4", "lustre", "wekafs"', doc: "Filesystem type.", sample: '"nfs4"' },
  { key: "source", allowed: 'a non-empty source, e.g. "storage-server:/exports/vfstore"', doc: "What to mount.", sample: '"storage-server:/exports/vfstore"' },
  { key: "mountpoint", allowed: "an absolute path, unique among storage-mounts", doc: "Where in the guest.", sample: '"/mnt/vfstore"' },
  { key: "options", allowed: "a string of mount options (may be empty)", doc: "Mount options.", sample: '"vers=4.1,rsize=1048576,wsize=1048576"' },
];

export const STORAGE_NIC_FIELDS: FieldDoc[] = [
  { key: "device", allowed: "an interface name of 1–15 characters", doc: "Interface in the guest.", sample: '"ib0"' },
  { key: "address", allowed: 'an IPv4 address with prefix length, e.g. "10.0.100.5/24"', doc: "Address of the interface.", sample: '"10.0.100.5/24"' },
  { key: "gateway", allowed: 'an IPv4 address or ""', doc: "Gateway, if any.", sample: '"10.0.100.1"' },
];

const agentSchema = z.strictObject({
  id: name(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/).optional(),
  backend: z.enum(["kata"]).default("kata"),
  "resource-group": name(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/).default("default"),
  "listen-address": listenAddress.default("0.0.0.0:6001"),
  "controller-address": hostPort,
  "join-token": z.string().default(""),
  "state-dir": absolutePath.default("/var/lib/hypercell/agent"),
  "sysfs-root": absolutePath.default("/sys"),
  "heartbeat-interval": z.number().gt(0).max(300).default(20),
  "log-level": z.enum(["debug", "info", "warn", "error"]).default("info"),
  "tls-cert": absolutePath.optional(),
  "tls-key": absolutePath.optional(),
  "tls-ca": absolutePath.optional(),
});

const storageMountSchema = z.strictObject({
  "fs-type": z.enum(["nfs", "nfs4", "lustre", "wekafs"]),
  source: z.string().min(1),
  mountpoint: absolutePath,
  options: z.string().default(""),
});

const storageNicSchema = z.strictObject({
  device: name(/^[A-Za-z0-9_.:-]{1,15}$/),
  address: cidr,
  gateway: optionalIp.default(""),
});

const kataSchema = z.strictObject({
  hypervisor: z.enum(["cloud-hypervisor", "qemu", "dragonball"]).default("cloud-hypervisor"),
  "default-vcpus": int(1, 256).default(2),
  "default-memory-mb": int(128, 1048576).default(2048),
  "vm-overhead-mb": int(0, 65536).default(64),
  "kernel-path": absolutePath.default("/opt/kata/share/kata-containers/vmlinux.container"),
  "initrd-path": optionalPath.default(""),
  "rootfs-path": absolutePath.default("/opt/kata/share/kata-containers/kata-containers.img"),
  "shared-fs": z.enum(["virtio-fs", "virtio-9p"]).default("virtio-fs"),
  "virtiofsd-path": absolutePath.default("/opt/kata/libexec/virtiofsd"),
  "virtio-fs-cache-size": int(0, 1048576).default(0),
  "network-model": z.enum(["tcfilter", "macvtap"]).default("tcfilter"),
  "enable-iommu": z.boolean().default(true),
  "hotplug-vfio": z.enum(["root-port", "bridge-port", "switch-port", "no-port"]).default("root-port"),
  "pcie-switch-port": int(0, 32).default(8),
  "containerd-socket": absolutePath.default("/run/containerd/containerd.sock"),
  "kata-runtime-class": name(/^[a-z0-9][a-z0-9._-]{0,62}$/).default("kata"),
  "confidential-guest": z.boolean().default(true),
  "guest-attestation": z.enum(["tdx", "sev-snp"]).default("tdx"),
  "kbs-endpoint": httpUrl.default(""),
  "kernel-modules": z.array(name(/^[A-Za-z0-9_-]{1,64}$/)).default(["nfs", "nfsv4"]),
  "guest-hook-path": absolutePath.default("/usr/share/oci/hooks"),
  "max-gpus-per-vm": int(1, 16).default(8),
  "storage-mounts": z.array(storageMountSchema).default([]),
  "storage-nic": storageNicSchema.optional(),
});

const fileSchema = z.strictObject({
  agent: agentSchema,
  kata: kataSchema.default(() => kataSchema.parse({})),
});

// ---------------------------------------------------------------------------------------------------
// The typed result

export interface StorageMount {
  fsType: "nfs" | "nfs4" | "lustre" | "wekafs";
  source: string;
  mountpoint: string;
  options: string;
}

export interface StorageNic {
  device: string;
  address: string;
  gateway: string | null;
}

export interface AgentSection {
  id: string;
  backend: "kata";
  resourceGroup: string;
  listenAddress: string;
  controllerAddress: string;
  joinToken: string;
  stateDir: string;
  sysfsRoot: string;
  heartbeatIntervalSec: number;
  logLevel: "debug" | "info" | "warn" | "error";
  /** Mutual TLS with the controller; null for plaintext. */
  tls: { certPath: string; keyPath: string; caPath: string } | null;
}

export interface KataSection {
  hypervisor: "cloud-hypervisor" | "qemu" | "dragonball";
  defaultVcpus: number;
  defaultMemoryMb: number;
  vmOverheadMb: number;
  kernelPath: string;
  /** null when the guest boots from rootfsPath. */
  initrdPath: string | null;
  rootfsPath: string;
  sharedFs: "virtio-fs" | "virtio-9p";
  virtiofsdPath: string;
  virtioFsCacheSizeMb: number;
  networkModel: "tcfilter" | "macvtap";
  enableIommu: boolean;
  hotplugVfio: "root-port" | "bridge-port" | "switch-port" | "no-port";
  pcieSwitchPort: number;
  containerdSocket: string;
  kataRuntimeClass: string;
  confidentialGuest: boolean;
  guestAttestation: "tdx" | "sev-snp";
  /** null when no Key Broker Service is configured. */
  kbsEndpoint: string | null;
  kernelModules: string[];
  guestHookPath: string;
  maxGpusPerVm: number;
  storageMounts: StorageMount[];
  storageNic: StorageNic | null;
}

export interface AgentConfig {
  agent: AgentSection;
  kata: KataSection;
  /** Accepted but discouraged settings, one sentence each. */
  warnings: string[];
}

export interface ConfigIssue {
  /** Dotted path with the hyphen spelling: `kata.hypervisor`, `kata.storage-mounts[1].mountpoint`. */
  key: string;
  /** 1-based line in the file, null when the key is missing and its table is too. */
  line: number | null;
  /** The value found (undefined when missing). */
  value: unknown;
  allowed: string;
  /** The whole sentence, as printed. */
  message: string;
}

export interface ParseOptions {
  /** File name for messages. */
  file?: string;
  /** Host name for the default agent ID. */
  hostname?: string;
}

// ---------------------------------------------------------------------------------------------------
// Parsing

const SECTION_FIELDS: Record<string, FieldDoc[]> = {
  agent: AGENT_FIELDS,
  kata: KATA_FIELDS,
  "kata.storage-mounts": STORAGE_MOUNT_FIELDS,
  "kata.storage-nic": STORAGE_NIC_FIELDS,
};

const normalizeKey = (key: string) => key.replace(/_/g, "-");

/** Section name as people write it: [agent], [kata], [kata.storage-nic], [[kata.storage-mounts]]. */
function sectionLabel(path: TomlPath): string {
  const names = path.filter((p): p is string => typeof p === "string");
  if (names[0] === "kata" && names[1] === "storage-mounts" && path.length > 2) return "[[kata.storage-mounts]]";
  return `[${names.join(".")}]`;
}

function fieldDoc(path: TomlPath): FieldDoc | undefined {
  const names = path.filter((p): p is string => typeof p === "string");
  const key = names[names.length - 1];
  const section = names.slice(0, -1).join(".");
  return SECTION_FIELDS[section]?.find((f) => f.key === key);
}

/** A value as TOML would show it, shortened for a one-line message. */
export function showValue(value: unknown): string {
  let s: string;
  if (typeof value === "string") s = JSON.stringify(value);
  else if (value instanceof Date) s = value.toISOString();
  else if (Array.isArray(value)) s = `[${value.map(showValue).join(", ")}]`;
  else if (value !== null && typeof value === "object") s = "{ … }";
  else s = String(value);
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

function describeType(value: unknown): string {
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "a boolean";
  if (typeof value === "number" || typeof value === "bigint") return Number.isInteger(Number(value)) ? "an integer" : "a number";
  if (Array.isArray(value)) return "an array";
  if (value instanceof Date) return "a date";
  if (value !== null && typeof value === "object") return "a table";
  return "nothing";
}

function valueAt(root: unknown, path: TomlPath): unknown {
  let cur: unknown = root;
  for (const p of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j += 1) d[0]![j] = j;
  for (let i = 1; i <= a.length; i += 1) {
    for (let j = 1; j <= b.length; j += 1) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

class IssueCollector {
  readonly issues: ConfigIssue[] = [];
  /** The document with keys in hyphen spelling, once normalised; values are looked up there. */
  values: unknown = undefined;
  private readonly locations: Map<string, KeyLocation>;

  constructor(
    private readonly file: string,
    private readonly all: readonly KeyLocation[],
  ) {
    this.locations = indexLocations(all);
  }

  lineOf(path: TomlPath): number | null {
    return this.locations.get(pathKey(path))?.line ?? null;
  }

  /** Every place a key is written (more than one when it is spelled both ways). */
  placesOf(path: TomlPath): KeyLocation[] {
    return this.all.filter((l) => pathKey(l.path) === pathKey(path));
  }

  /** Line of the key, else of the nearest enclosing table that is written in the file. */
  private nearestLine(path: TomlPath): number | null {
    for (let n = path.length; n > 0; n -= 1) {
      const line = this.lineOf(path.slice(0, n));
      if (line !== null) return line;
    }
    return null;
  }

  private spelled(path: TomlPath): string {
    const loc = this.locations.get(pathKey(path));
    const last = path[path.length - 1];
    return loc && typeof last === "string" ? loc.raw : String(last);
  }

  add(path: TomlPath, problem: string, allowed: string, options: { missing?: boolean; value?: unknown; line?: number } = {}): void {
    const value = options.missing ? undefined : "value" in options ? options.value : valueAt(this.values, path);
    const line = options.line ?? (options.missing ? this.nearestLine(path.slice(0, -1)) : this.nearestLine(path));
    const where = line === null ? `${this.file}:` : `${this.file}:${line}:`;
    // An element of an array value (kernel-modules = [...]) is named after its key.
    const item = typeof path[path.length - 1] === "number" && typeof path[path.length - 2] === "string" ? Number(path[path.length - 1]) : null;
    const keyPath = item === null ? path : path.slice(0, -1);
    const key = item === null ? this.spelled(keyPath) : `${this.spelled(keyPath)} item ${item + 1}`;
    const parent = keyPath.slice(0, -1);
    const entry = typeof parent[parent.length - 1] === "number" ? ` #${Number(parent[parent.length - 1]) + 1}` : "";
    const isTable = value !== null && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date);
    const subject =
      keyPath.length === 1 && (options.missing || isTable)
        ? `[${key}]`
        : `${keyPath.length === 1 ? "" : `${sectionLabel(parent)}${entry} `}${key}${options.missing ? "" : ` = ${showValue(value)}`}`;
    this.issues.push({
      key: pathKey(path),
      line,
      value,
      allowed,
      message: `${where} ${subject} ${problem}; allowed: ${allowed}`,
    });
  }
}

/** Rewrites every table key to its hyphen spelling; the same key written both ways is an issue. */
function normalizeTables(value: unknown, path: TomlPath, issues: IssueCollector): unknown {
  if (Array.isArray(value)) return value.map((v, i) => normalizeTables(v, [...path, i], issues));
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  const out: Record<string, unknown> = {};
  const firstSpelling = new Map<string, string>();
  for (const [k, v] of Object.entries(value)) {
    const key = normalizeKey(k);
    if (firstSpelling.has(key)) {
      const places = issues.placesOf([...path, key]);
      const first = places[0];
      const second = places[1];
      issues.add(
        [...path, key],
        `is given twice, as ${firstSpelling.get(key)}${first ? ` (line ${first.line})` : ""} and as ${k}`,
        "one spelling per key (hyphens and underscores mean the same)",
        { value: v, ...(second ? { line: second.line } : {}) },
      );
      continue;
    }
    firstSpelling.set(key, k);
    out[key] = normalizeTables(v, [...path, key], issues);
  }
  return out;
}

function zodIssueToConfig(issue: z.core.$ZodIssue, values: unknown, issues: IssueCollector): void {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "unrecognized_keys") {
    const section = sectionLabel(path);
    const known = (SECTION_FIELDS[path.filter((p) => typeof p === "string").join(".")] ?? []).map((f) => f.key);
    for (const key of issue.keys) {
      const near = known.filter((k) => editDistance(k, normalizeKey(key)) <= 3).sort((a, b) => editDistance(a, key) - editDistance(b, key))[0];
      const topLevel = path.length === 0;
      issues.add(
        [...path, key],
        topLevel ? `is not a section Hypercell knows` : `is an unknown key${near ? ` (did you mean ${near}?)` : ""}`,
        topLevel ? "the sections [agent] and [kata]" : `the keys of ${section}: ${known.join(", ")}`,
      );
    }
    return;
  }
  const value = valueAt(values, path);
  const doc = fieldDoc(path);
  const allowed = doc?.allowed ?? (typeof path[path.length - 1] === "number" ? (fieldDoc(path.slice(0, -1))?.allowed ?? "see docs/agent-config.md") : "see docs/agent-config.md");
  if (value === undefined) {
    issues.add(path, path.length === 1 ? "section is missing" : "is missing", path.length === 1 ? `the [${String(path[0])}] section, with at least controller-address` : allowed, { missing: true });
    return;
  }
  if (issue.code === "invalid_value" && !issue.values.some((v) => typeof v === typeof value)) {
    issues.add(path, `has the wrong type (${describeType(value)})`, allowed);
    return;
  }
  if (issue.code === "invalid_type") {
    // zod reports a fractional number where an integer belongs as a type error; say it plainly.
    const problem = issue.expected === "int" && typeof value === "number" ? "is not a whole number" : `has the wrong type (${describeType(value)})`;
    issues.add(path, problem, allowed);
    return;
  }
  issues.add(path, "is not allowed", allowed);
}

function crossChecks(cfg: z.output<typeof fileSchema>, issues: IssueCollector, warnings: string[]): void {
  const k = cfg.kata;
  if (k.hypervisor === "dragonball" && k["confidential-guest"]) {
    issues.add(["kata", "hypervisor"], "cannot run confidential guests (dragonball has no TDX/SEV-SNP support)", 'with confidential-guest = true: "cloud-hypervisor" or "qemu"');
  }
  if (k["hotplug-vfio"] === "switch-port" && k["pcie-switch-port"] === 0) {
    issues.add(["kata", "pcie-switch-port"], 'leaves no switch ports for hotplug-vfio = "switch-port"', "an integer from 1 to 32 with switch-port hotplug");
  }
  const seen = new Map<string, number>();
  k["storage-mounts"].forEach((m, i) => {
    const first = seen.get(m.mountpoint);
    if (first !== undefined) issues.add(["kata", "storage-mounts", i, "mountpoint"], `is already used by storage-mounts entry ${first + 1}`, "an absolute path, unique among storage-mounts");
    else seen.set(m.mountpoint, i);
  });
  const a = cfg.agent;
  const tls = ["tls-cert", "tls-key", "tls-ca"] as const;
  const given = tls.filter((t) => a[t] !== undefined);
  if (given.length > 0 && given.length < 3) {
    for (const t of tls.filter((x) => a[x] === undefined)) {
      issues.add(["agent", t], `is missing while ${given.join(" and ")} ${given.length === 1 ? "is" : "are"} set`, "tls-cert, tls-key and tls-ca all set (mutual TLS) or none (plaintext)", { missing: true });
    }
  }
  if (!k["confidential-guest"]) warnings.push("[kata] confidential-guest = false: session VMs will not run in a TEE; BEP-1051 has no non-confidential mode, use this for development only");
  if (k["shared-fs"] === "virtio-9p") warnings.push('[kata] shared-fs = "virtio-9p" is deprecated; use "virtio-fs"');
  if (k["max-gpus-per-vm"] > 8) warnings.push(`[kata] max-gpus-per-vm = ${k["max-gpus-per-vm"]}: VMs with more than 8 GPUs have been reported to take very long to boot (BAR mapping)`);
}

function toConfig(cfg: z.output<typeof fileSchema>, hostname: string, warnings: string[]): AgentConfig {
  const a = cfg.agent;
  const k = cfg.kata;
  const fallbackId = `i-${hostname.replace(/[^A-Za-z0-9._-]/g, "-")}`.slice(0, 63);
  return {
    agent: {
      id: a.id ?? fallbackId,
      backend: a.backend,
      resourceGroup: a["resource-group"],
      listenAddress: a["listen-address"],
      controllerAddress: a["controller-address"],
      joinToken: a["join-token"],
      stateDir: a["state-dir"],
      sysfsRoot: a["sysfs-root"],
      heartbeatIntervalSec: a["heartbeat-interval"],
      logLevel: a["log-level"],
      tls: a["tls-cert"] && a["tls-key"] && a["tls-ca"] ? { certPath: a["tls-cert"], keyPath: a["tls-key"], caPath: a["tls-ca"] } : null,
    },
    kata: {
      hypervisor: k.hypervisor,
      defaultVcpus: k["default-vcpus"],
      defaultMemoryMb: k["default-memory-mb"],
      vmOverheadMb: k["vm-overhead-mb"],
      kernelPath: k["kernel-path"],
      initrdPath: k["initrd-path"] === "" ? null : k["initrd-path"],
      rootfsPath: k["rootfs-path"],
      sharedFs: k["shared-fs"],
      virtiofsdPath: k["virtiofsd-path"],
      virtioFsCacheSizeMb: k["virtio-fs-cache-size"],
      networkModel: k["network-model"],
      enableIommu: k["enable-iommu"],
      hotplugVfio: k["hotplug-vfio"],
      pcieSwitchPort: k["pcie-switch-port"],
      containerdSocket: k["containerd-socket"],
      kataRuntimeClass: k["kata-runtime-class"],
      confidentialGuest: k["confidential-guest"],
      guestAttestation: k["guest-attestation"],
      kbsEndpoint: k["kbs-endpoint"] === "" ? null : k["kbs-endpoint"],
      kernelModules: k["kernel-modules"],
      guestHookPath: k["guest-hook-path"],
      maxGpusPerVm: k["max-gpus-per-vm"],
      storageMounts: k["storage-mounts"].map((m) => ({ fsType: m["fs-type"], source: m.source, mountpoint: m.mountpoint, options: m.options })),
      storageNic: k["storage-nic"] ? { device: k["storage-nic"].device, address: k["storage-nic"].address, gateway: k["storage-nic"].gateway === "" ? null : k["storage-nic"].gateway } : null,
    },
    warnings,
  };
}

/**
 * Parses and validates the text of an agent config file. Throws AppError CONFIG_INVALID with one line
 * per problem in the message and the problems as `details.issues` (ConfigIssue[]).
 */
export function parseAgentConfig(text: string, options: ParseOptions = {}): AgentConfig {
  const file = options.file ?? "agent.toml";
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    if (err instanceof TomlError) {
      const first = err.message.split("\n")[0] ?? err.message;
      const issue: ConfigIssue = { key: "", line: err.line, value: undefined, allowed: "TOML syntax", message: `${file}:${err.line}:${err.column}: not valid TOML: ${first}` };
      throw new AppError("CONFIG_INVALID", `${file} is not a valid agent configuration:\n  ${issue.message}`, { issues: [issue] });
    }
    throw err;
  }

  const collector = new IssueCollector(file, locateTomlKeys(text, normalizeKey));
  const normalized = normalizeTables(raw, [], collector);
  collector.values = normalized;
  const result = fileSchema.safeParse(normalized);
  const warnings: string[] = [];
  if (!result.success) {
    for (const issue of result.error.issues) zodIssueToConfig(issue, normalized, collector);
  } else {
    crossChecks(result.data, collector, warnings);
  }
  if (collector.issues.length > 0 || !result.success) {
    const issues = [...collector.issues].sort((x, y) => (x.line ?? 0) - (y.line ?? 0));
    const n = issues.length;
    throw new AppError("CONFIG_INVALID", `${file} is not a valid agent configuration (${n} problem${n === 1 ? "" : "s"}):\n${issues.map((i) => `  ${i.message}`).join("\n")}`, { issues });
  }
  return toConfig(result.data, options.hostname ?? os.hostname(), warnings);
}

/** Reads and parses a config file; a file that cannot be read is CONFIG_INVALID too. */
export async function loadAgentConfig(file: string, options: Omit<ParseOptions, "file"> = {}): Promise<AgentConfig> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : String(err);
    throw new AppError("CONFIG_INVALID", `cannot read agent configuration ${file} (${code === "ENOENT" ? "no such file" : code})`);
  }
  return parseAgentConfig(text, { ...options, file });
}

/** The hyphenated keys the schema accepts per section, for the sample and its test. */
export const SCHEMA_KEYS = {
  agent: Object.keys(agentSchema.shape),
  kata: Object.keys(kataSchema.shape),
  "kata.storage-mounts": Object.keys(storageMountSchema.shape),
  "kata.storage-nic": Object.keys(storageNicSchema.shape),
} as const;

export const FIELD_DOCS = SECTION_FIELDS;
