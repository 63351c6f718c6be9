// Builds a fake sysfs tree in a directory, laid out exactly as Linux lays out /sys for PCI, so the
// real SysfsPciBus (and anything else that reads sysfs) runs unchanged against it. Used by tests and
// by the simulated hosts of `npm start` (server/agent/sim/hosts).
//
// What is written, for each function in the host definition:
//   devices/pciDDDD:BB/<root port>/<switch port>/…/<addr>/   vendor device class subsystem_vendor
//       subsystem_device revision numa_node resource modalias driver_override
//   bus/pci/devices/<addr>        -> ../../../devices/pci…/<addr>
//   <dev>/driver                  -> ../…/bus/pci/drivers/<name>   (+ drivers/<name>/<addr> back-link)
//   <dev>/iommu_group             -> ../…/kernel/iommu_groups/<n>  (+ groups/<n>/devices/<addr>)
//   <dev>/physfn, <dev>/virtfn<N> (SR-IOV), sriov_numvfs / sriov_totalvfs on physical functions
//   class/iommu/<unit>            -> ../../devices/virtual/iommu/<unit>
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { AppError } from "../../../errors";
import { comparePciAddresses, isPciAddress } from "../../../domain/topology/pci-address";

export type FakeBarType = "mem64-pref" | "mem64" | "mem32" | "mem32-pref" | "io";

export interface FakeBar {
  /** BAR number 0–5. */
  index: number;
  /** Start address, hex with 0x. */
  start: string;
  /** Bytes, or a string with a binary suffix: "16M", "128G", "64K". */
  size: number | string;
  type: FakeBarType;
}

export interface FakePciFunction {
  address: string;
  /** Upstream bridge; omitted for a function on a root bus. Must be a PCI bridge of the same host. */
  parent?: string;
  /** Hex without 0x: vendor "10de", device "2330", class "030200" (class, subclass, prog-if). */
  vendor: string;
  device: string;
  class: string;
  subsystemVendor?: string;
  subsystemDevice?: string;
  revision?: string;
  /** Bound driver, omitted when none is bound. */
  driver?: string;
  /** Omitted means -1 (no affinity), as the kernel reports on single-node or firmware-less hosts. */
  numaNode?: number;
  /** Required when the host's IOMMU is on, forbidden when it is off. */
  iommuGroup?: number;
  bars?: FakeBar[];
  /** SR-IOV: the physical function of this virtual function. */
  physfn?: string;
  /** SR-IOV: sriov_totalvfs of a physical function (defaults to its number of VFs). */
  totalVfs?: number;
  /** A note for people reading the host definition; not written to the tree. */
  note?: string;
}

export interface FakeHostSpec {
  hostname: string;
  description: string;
  /** Which real capture the definition was derived from, and what was changed. */
  source: string;
  /** IOMMU units for class/iommu (dmar0…, ivhd0…); null when the IOMMU is off. */
  iommu: { units: string[]; groupType?: "identity" | "DMA" | "DMA-FQ" } | null;
  devices: FakePciFunction[];
}

export interface FakeSysfs {
  /** The directory to pass as sysfs root. */
  root: string;
  /** Removes the tree (only when the builder created the directory). */
  cleanup(): void;
}

const SIZE_SUFFIX: Record<string, bigint> = { K: 1n << 10n, M: 1n << 20n, G: 1n << 30n, T: 1n << 40n };

/** "16M" → 16777216n; numbers pass through. Throws AppError BAD_INPUT for anything else. */
export function parseSize(size: number | string): bigint {
  if (typeof size === "number") return BigInt(size);
  const m = /^(\d+)([KMGT]?)$/.exec(size.trim());
  if (!m) throw new AppError("BAD_INPUT", `size ${JSON.stringify(size)} is not a number with an optional K/M/G/T suffix`);
  return BigInt(m[1]!) * (m[2] ? SIZE_SUFFIX[m[2]]! : 1n);
}

// Flag words the kernel prints in <dev>/resource for each BAR type (IORESOURCE_* | PCI_BASE_ADDRESS_* bits).
const BAR_FLAGS: Record<FakeBarType, bigint> = {
  "mem64-pref": 0x14220cn,
  mem64: 0x140204n,
  "mem32-pref": 0x42208n,
  mem32: 0x40200n,
  io: 0x40101n,
};

const hex16 = (n: bigint) => `0x${n.toString(16).padStart(16, "0")}`;

/** The `resource` file: 13 lines for an endpoint, 17 for a bridge (4 bridge windows), as Linux prints. */
export function renderResourceFile(bars: readonly FakeBar[], isBridge: boolean): string {
  const lines: string[] = [];
  const count = isBridge ? 17 : 13;
  for (let i = 0; i < count; i += 1) {
    const bar = bars.find((b) => b.index === i);
    if (!bar) {
      lines.push(`${hex16(0n)} ${hex16(0n)} ${hex16(0n)}`);
      continue;
    }
    const start = BigInt(bar.start);
    const end = start + parseSize(bar.size) - 1n;
    lines.push(`${hex16(start)} ${hex16(end)} ${hex16(BAR_FLAGS[bar.type])}`);
  }
  return `${lines.join("\n")}\n`;
}

function fail(spec: FakeHostSpec, message: string): never {
  throw new AppError("BAD_INPUT", `host definition ${spec.hostname}: ${message}`);
}

/** Checks a host definition for the mistakes that would make a tree Linux could never produce. */
export function validateHostSpec(spec: FakeHostSpec): void {
  const byAddress = new Map<string, FakePciFunction>();
  for (const d of spec.devices) {
    if (!isPciAddress(d.address)) fail(spec, `${JSON.stringify(d.address)} is not a canonical PCI address`);
    if (byAddress.has(d.address)) fail(spec, `${d.address} is defined twice`);
    byAddress.set(d.address, d);
    if (!/^[0-9a-f]{4}$/.test(d.vendor) || !/^[0-9a-f]{4}$/.test(d.device)) fail(spec, `${d.address}: vendor/device must be 4 lowercase hex digits`);
    if (!/^[0-9a-f]{6}$/.test(d.class)) fail(spec, `${d.address}: class must be 6 lowercase hex digits`);
    if (spec.iommu === null && d.iommuGroup !== undefined) fail(spec, `${d.address} has an IOMMU group but the host's IOMMU is off`);
    if (spec.iommu !== null && d.iommuGroup === undefined) fail(spec, `${d.address} has no IOMMU group but the host's IOMMU is on`);
  }
  for (const d of spec.devices) {
    if (d.parent !== undefined) {
      const parent = byAddress.get(d.parent);
      if (!parent) fail(spec, `${d.address}: parent ${d.parent} is not defined`);
      if (!parent.class.startsWith("0604")) fail(spec, `${d.address}: parent ${d.parent} is not a PCI bridge (class ${parent.class})`);
    }
    if (d.physfn !== undefined && !byAddress.has(d.physfn)) fail(spec, `${d.address}: physfn ${d.physfn} is not defined`);
  }
  for (const d of spec.devices) {
    const seen = new Set<string>();
    for (let cur: FakePciFunction | undefined = d; cur?.parent !== undefined; cur = byAddress.get(cur.parent)) {
      if (seen.has(cur.address)) fail(spec, `${d.address}: its parent chain loops`);
      seen.add(cur.address);
    }
  }
}

/** Bridge chain from the root port down to the parent, for a validated spec. */
function chainOf(d: FakePciFunction, byAddress: Map<string, FakePciFunction>): string[] {
  const chain: string[] = [];
  for (let p = d.parent; p !== undefined; p = byAddress.get(p)?.parent) chain.unshift(p);
  return chain;
}

function rootBusDir(d: FakePciFunction, chain: readonly string[]): string {
  const top = chain[0] ?? d.address;
  return `pci${top.slice(0, top.lastIndexOf(":"))}`;
}

function modalias(d: FakePciFunction): string {
  const up = (s: string) => s.toUpperCase().padStart(8, "0");
  return (
    `pci:v${up(d.vendor)}d${up(d.device)}sv${up(d.subsystemVendor ?? "0000")}sd${up(d.subsystemDevice ?? "0000")}` +
    `bc${d.class.slice(0, 2).toUpperCase()}sc${d.class.slice(2, 4).toUpperCase()}i${d.class.slice(4, 6).toUpperCase()}\n`
  );
}

/**
 * Writes the tree for `spec` into `dir` (a new temporary directory when omitted) and returns its root.
 * Throws AppError BAD_INPUT when the definition is inconsistent (see validateHostSpec).
 */
export function buildFakeSysfs(spec: FakeHostSpec, dir?: string): FakeSysfs {
  validateHostSpec(spec);
  const root = dir ?? mkdtempSync(path.join(os.tmpdir(), `fake-sysfs-${spec.hostname}-`));
  const created = dir === undefined;
  const byAddress = new Map(spec.devices.map((d) => [d.address, d]));
  const devicePath = new Map<string, string>(); // address -> path relative to root
  // Node's recursive mkdir costs about a millisecond a call here; remembering what exists keeps a
  // 200-device host well under a second to build.
  const made = new Set<string>([""]);
  const mkdir = (rel: string): void => {
    const norm = path.normalize(rel);
    if (made.has(norm) || norm === ".") return;
    mkdir(path.dirname(norm));
    mkdirSync(path.join(root, norm), { recursive: false });
    made.add(norm);
  };
  const write = (rel: string, text: string) => writeFileSync(path.join(root, rel), text);
  const link = (target: string, rel: string) => symlinkSync(target, path.join(root, rel));
  // A relative link from the directory holding `fromRel` to `toRel`, as the kernel creates them.
  const relLink = (toRel: string, fromRel: string) => link(path.relative(path.dirname(path.join(root, fromRel)), path.join(root, toRel)), fromRel);

  mkdir("bus/pci/devices");
  mkdir("bus/pci/drivers");
  mkdir("devices/virtual/iommu");
  write("bus/pci/drivers_probe", "");
  write("bus/pci/rescan", "");

  const sorted = [...spec.devices].sort((a, b) => comparePciAddresses(a.address, b.address));
  for (const d of sorted) {
    const chain = chainOf(d, byAddress);
    const rel = path.join("devices", rootBusDir(d, chain), ...chain, d.address);
    devicePath.set(d.address, rel);
  }

  const drivers = new Set(sorted.map((d) => d.driver).filter((x): x is string => x !== undefined));
  for (const name of [...drivers].sort()) {
    const drel = path.join("bus/pci/drivers", name);
    mkdir(drel);
    for (const f of ["bind", "unbind", "new_id", "remove_id"]) write(path.join(drel, f), "");
  }

  if (spec.iommu) {
    mkdir("class/iommu");
    for (const unit of spec.iommu.units) {
      mkdir(path.join("devices/virtual/iommu", unit, "devices"));
      relLink(path.join("devices/virtual/iommu", unit), path.join("class/iommu", unit));
    }
    mkdir("kernel/iommu_groups");
  }

  const vfsOf = new Map<string, string[]>();
  for (const d of sorted) {
    if (d.physfn !== undefined) vfsOf.set(d.physfn, [...(vfsOf.get(d.physfn) ?? []), d.address]);
  }

  for (const d of sorted) {
    const rel = devicePath.get(d.address)!;
    const isBridge = d.class.startsWith("0604");
    mkdir(rel);
    write(path.join(rel, "vendor"), `0x${d.vendor}\n`);
    write(path.join(rel, "device"), `0x${d.device}\n`);
    write(path.join(rel, "class"), `0x${d.class}\n`);
    write(path.join(rel, "subsystem_vendor"), `0x${d.subsystemVendor ?? "0000"}\n`);
    write(path.join(rel, "subsystem_device"), `0x${d.subsystemDevice ?? "0000"}\n`);
    write(path.join(rel, "revision"), `0x${d.revision ?? "00"}\n`);
    write(path.join(rel, "numa_node"), `${d.numaNode ?? -1}\n`);
    write(path.join(rel, "resource"), renderResourceFile(d.bars ?? [], isBridge));
    write(path.join(rel, "modalias"), modalias(d));
    write(path.join(rel, "driver_override"), "(null)\n");
    relLink(rel, path.join("bus/pci/devices", d.address));
    if (d.driver !== undefined) {
      relLink(path.join("bus/pci/drivers", d.driver), path.join(rel, "driver"));
      relLink(rel, path.join("bus/pci/drivers", d.driver, d.address));
    }
    if (spec.iommu && d.iommuGroup !== undefined) {
      const grel = path.join("kernel/iommu_groups", String(d.iommuGroup));
      if (!made.has(grel)) {
        mkdir(path.join(grel, "devices"));
        write(path.join(grel, "type"), `${spec.iommu.groupType ?? "identity"}\n`);
        write(path.join(grel, "reserved_regions"), "0x00000000fee00000 0x00000000feefffff msi\n");
      }
      relLink(grel, path.join(rel, "iommu_group"));
      relLink(rel, path.join(grel, "devices", d.address));
      const unit = spec.iommu.units[0];
      if (unit !== undefined) relLink(rel, path.join("devices/virtual/iommu", unit, "devices", d.address));
    }
    if (d.physfn !== undefined) relLink(devicePath.get(d.physfn)!, path.join(rel, "physfn"));
    const vfs = vfsOf.get(d.address) ?? [];
    if (vfs.length > 0 || d.totalVfs !== undefined) {
      write(path.join(rel, "sriov_totalvfs"), `${d.totalVfs ?? vfs.length}\n`);
      write(path.join(rel, "sriov_numvfs"), `${vfs.length}\n`);
      vfs.forEach((vf, n) => relLink(devicePath.get(vf)!, path.join(rel, `virtfn${n}`)));
    }
  }

  return {
    root,
    cleanup: () => {
      if (created) rmSync(root, { recursive: true, force: true });
    },
  };
}

export interface GroupAssignment {
  /** First group number (Linux starts at 0; the numbers carry no meaning beyond identity). */
  start?: number;
  /** Sets of addresses that land in one group (functions without ACS, devices behind a non-ACS switch). */
  shared?: readonly (readonly string[])[];
}

/**
 * Numbers IOMMU groups the way a host with ACS everywhere would: one group per function, in address
 * order, except the `shared` sets, which take one number each (at their first member's position).
 */
export function assignIommuGroups<T extends { address: string; iommuGroup?: number }>(devices: readonly T[], options: GroupAssignment = {}): (T & { iommuGroup: number })[] {
  const sharedOf = new Map<string, readonly string[]>();
  for (const set of options.shared ?? []) for (const a of set) sharedOf.set(a, set);
  const numberOf = new Map<string, number>();
  let next = options.start ?? 0;
  for (const d of [...devices].sort((a, b) => comparePciAddresses(a.address, b.address))) {
    if (numberOf.has(d.address)) continue;
    const set = sharedOf.get(d.address) ?? [d.address];
    for (const a of set) numberOf.set(a, next);
    next += 1;
  }
  return devices.map((d) => ({ ...d, iommuGroup: numberOf.get(d.address)! }));
}
