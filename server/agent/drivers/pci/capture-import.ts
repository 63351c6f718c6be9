// Turns captures of real machines into host definitions for fake-sysfs.ts, so discovery can be tested
// on topologies nobody here has: hwloc XML exports (lstopo --of xml), IOMMU group listings (the usual
// `for g in /sys/kernel/iommu_groups/*` + `lspci -nns` loop), `lspci -nn`, `lspci -vvv` and `lspci -tv`.
// Captures rarely hold everything sysfs has; what is missing stays missing (no driver, NUMA -1) and the
// options say how to fill IOMMU groups.
import { AppError } from "../../../errors";
import { normalizePciAddress } from "../../../domain/topology/pci-address";
import { assignIommuGroups, type FakeHostSpec, type FakePciFunction } from "./fake-sysfs";

export interface ImportOptions {
  hostname: string;
  /** "none": IOMMU off; "acs": IOMMU on, one group per function (a host with ACS everywhere). */
  iommu?: "none" | "acs";
}

function withIommu(spec: Omit<FakeHostSpec, "iommu">, iommu: "none" | "acs" | undefined): FakeHostSpec {
  if ((iommu ?? "none") === "none") return { ...spec, iommu: null };
  return { ...spec, iommu: { units: ["dmar0"] }, devices: assignIommuGroups(spec.devices) };
}

function attrs(tag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:-]+)="([^"]*)"/g)) out[m[1]!] = m[2]!;
  return out;
}

/**
 * The node of a hwloc nodeset when exactly one node is set ("0x00000002" → 1), else undefined. hwloc
 * writes bitmaps as comma-separated 32-bit words, most significant first, an empty word meaning 0.
 */
function singleNode(nodeset: string | undefined): number | undefined {
  if (!nodeset || !/^(0x[0-9a-f]*)?(,(0x[0-9a-f]*)?)*$/i.test(nodeset)) return undefined;
  const hex = nodeset
    .split(",")
    .map((w) => w.replace(/^0x/i, "").padStart(8, "0"))
    .join("");
  const bits = BigInt(`0x${hex}`);
  if (bits === 0n || (bits & (bits - 1n)) !== 0n) return undefined;
  return bits.toString(2).length - 1;
}

/**
 * hwloc XML (v1 or v2). Host bridges are not PCI functions and are dropped; their children sit on a
 * root bus. The NUMA node is the nodeset of the nearest enclosing object that names exactly one node.
 * Throws AppError BAD_INPUT when the text holds no PCI objects.
 */
export function hostFromHwlocXml(xml: string, options: ImportOptions): FakeHostSpec {
  interface Frame {
    busid?: string;
    numa?: number;
  }
  const stack: Frame[] = [];
  const devices: FakePciFunction[] = [];
  for (const m of xml.matchAll(/<object\b([^>]*?)(\/?)>|<\/object>/g)) {
    if (m[0] === "</object>") {
      stack.pop();
      continue;
    }
    const a = attrs(m[1]!);
    const parentFrame = stack[stack.length - 1];
    const numa = singleNode(a.nodeset) ?? parentFrame?.numa;
    const frame: Frame = { numa };
    const busid = a.pci_busid ? normalizePciAddress(a.pci_busid) : null;
    if ((a.type === "PCIDev" || a.type === "Bridge") && busid && a.pci_type) {
      const t = /^([0-9a-f]{4}) \[([0-9a-f]{4}):([0-9a-f]{4})\] \[([0-9a-f]{4}):([0-9a-f]{4})\] ([0-9a-f]{2})/i.exec(a.pci_type);
      if (t) {
        const parent = [...stack].reverse().find((f) => f.busid !== undefined)?.busid;
        devices.push({
          address: busid,
          ...(parent ? { parent } : {}),
          vendor: t[2]!.toLowerCase(),
          device: t[3]!.toLowerCase(),
          class: `${t[1]!.toLowerCase()}00`,
          subsystemVendor: t[4]!.toLowerCase(),
          subsystemDevice: t[5]!.toLowerCase(),
          revision: t[6]!.toLowerCase(),
          ...(numa !== undefined ? { numaNode: numa } : {}),
          ...(a.subtype ? { note: a.subtype } : {}),
        });
        if (a.type === "Bridge") frame.busid = busid;
      }
    }
    if (m[2] !== "/") stack.push(frame);
  }
  if (devices.length === 0) throw new AppError("BAD_INPUT", "the hwloc XML holds no PCI devices (was it exported without I/O objects?)");
  return withIommu({ hostname: options.hostname, description: "imported from hwloc XML", source: "hwloc XML", devices }, options.iommu);
}

// "04:00.0 VGA compatible controller [0300]: NVIDIA Corporation GK208B [GeForce GT 710] [10de:128b] (rev a1)"
const LSPCI_NN = /^\s*((?:[0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) (.+?) \[([0-9a-f]{4})\]: (.*) \[([0-9a-f]{4}):([0-9a-f]{4})\](?: \(rev ([0-9a-f]{2})\))?/i;

function parseNnLine(line: string): (FakePciFunction & { name: string }) | null {
  const m = LSPCI_NN.exec(line);
  if (!m) return null;
  const address = normalizePciAddress(m[1]!);
  if (!address) return null;
  return {
    address,
    vendor: m[5]!.toLowerCase(),
    device: m[6]!.toLowerCase(),
    class: `${m[3]!.toLowerCase()}00`,
    ...(m[7] ? { revision: m[7].toLowerCase() } : {}),
    name: `${m[2]}: ${m[4]}`,
  };
}

/**
 * An IOMMU group listing: "IOMMU group N" headers followed by `lspci -nns` lines. The tree shape is not
 * in such listings, so every function sits on a root bus. Lines not in `lspci -nn` form (truncated
 * ones, say) are skipped. Throws AppError BAD_INPUT without groups.
 */
export function hostFromIommuListing(text: string, options: Omit<ImportOptions, "iommu">): FakeHostSpec {
  const devices: FakePciFunction[] = [];
  let group: number | null = null;
  for (const line of text.split("\n")) {
    const header = /^\s*IOMMU [Gg]roup (\d+)/.exec(line);
    if (header) {
      group = Number(header[1]);
      continue;
    }
    const d = parseNnLine(line);
    if (d && group !== null) {
      const { name, ...fn } = d;
      devices.push({ ...fn, iommuGroup: group, note: name });
    }
  }
  if (devices.length === 0) throw new AppError("BAD_INPUT", "no 'IOMMU group N' sections with lspci -nn lines found");
  return { hostname: options.hostname, description: "imported from an IOMMU group listing", source: "IOMMU group listing", iommu: { units: ["iommu0"] }, devices };
}

/** `lspci -nn` (with or without domains). Every function sits on a root bus. */
export function hostFromLspciNn(text: string, options: ImportOptions): FakeHostSpec {
  const devices = text
    .split("\n")
    .map(parseNnLine)
    .filter((d): d is FakePciFunction & { name: string } => d !== null)
    .map(({ name, ...fn }) => ({ ...fn, note: name }));
  if (devices.length === 0) throw new AppError("BAD_INPUT", "no lspci -nn lines found (they end in [vendor:device])");
  return withIommu({ hostname: options.hostname, description: "imported from lspci -nn", source: "lspci -nn", devices }, options.iommu);
}

export interface LspciRegion {
  index: number;
  io: boolean;
  start: string;
  /** As lspci prints it: "16M", "128G", "256". */
  size: string;
  bits: 32 | 64 | null;
  prefetchable: boolean;
}

export interface LspciVerboseDevice {
  address: string;
  className: string;
  name: string;
  numaNode: number | null;
  driver: string | null;
  /** For bridges: the secondary bus number (2 hex digits). */
  secondaryBus: string | null;
  /** The bridge whose secondary bus this function sits on, null on a root bus. */
  parent: string | null;
  regions: LspciRegion[];
}

/** `lspci -vvv` (domain-less addresses get 0000). Parents come from the bridges' "Bus: secondary=" lines. */
export function parseLspciVerbose(text: string): LspciVerboseDevice[] {
  const out: LspciVerboseDevice[] = [];
  for (const block of text.split(/\n(?=(?:[0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] )/)) {
    const lines = block.split("\n");
    const head = /^((?:[0-9a-f]{4,8}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ([^:]+): (.*)$/.exec(lines[0] ?? "");
    const address = head ? normalizePciAddress(head[1]!) : null;
    if (!head || !address) continue;
    const d: LspciVerboseDevice = { address, className: head[2]!, name: head[3]!, numaNode: null, driver: null, secondaryBus: null, parent: null, regions: [] };
    for (const l of lines.slice(1)) {
      let r: RegExpExecArray | null;
      if ((r = /^\tNUMA node: (\d+)/.exec(l))) d.numaNode = Number(r[1]);
      else if ((r = /^\tKernel driver in use: (\S+)/.exec(l))) d.driver = r[1]!;
      else if ((r = /^\tBus: primary=\w+, secondary=(\w+)/.exec(l))) d.secondaryBus = r[1]!;
      else if ((r = /^\tRegion (\d): (Memory|I\/O ports) at ([0-9a-f]+) (?:\((32|64)-bit, (prefetchable|non-prefetchable)\) )?\[size=(\w+)\]/.exec(l))) {
        d.regions.push({ index: Number(r[1]), io: r[2] !== "Memory", start: `0x${r[3]}`, size: r[6]!, bits: r[4] ? (Number(r[4]) as 32 | 64) : null, prefetchable: r[5] === "prefetchable" });
      }
    }
    out.push(d);
  }
  const bySecondary = new Map<string, string>();
  for (const d of out) if (d.secondaryBus) bySecondary.set(`${d.address.slice(0, d.address.indexOf(":"))}:${d.secondaryBus}`, d.address);
  for (const d of out) d.parent = bySecondary.get(d.address.slice(0, d.address.lastIndexOf(":"))) ?? null;
  return out;
}

export interface LspciTreeDevice {
  address: string;
  /** The bridge above, null on a root bus. */
  parent: string | null;
  /** What lspci printed after the address ("" for bridges, whose line continues with their children). */
  name: string;
}

/**
 * `lspci -tv`: every function with its parent bridge. lspci draws each bridge's children starting on
 * the bridge's own line, and continues them on later lines at the same column; so the column where a
 * bridge's first child appears identifies that bridge's bus for the lines that follow.
 */
export function parseLspciTree(text: string): LspciTreeDevice[] {
  const out: LspciTreeDevice[] = [];
  const busAtColumn = new Map<number, string>();
  const bridgeOfBus = new Map<string, string>();
  for (const line of text.split("\n")) {
    const nameAt = line.search(/[0-9a-f]{2}\.[0-7]  \S/);
    const tree = nameAt < 0 ? line : line.slice(0, nameAt + 4);
    const name = nameAt < 0 ? "" : line.slice(nameAt + 6).trim();
    let pendingBus: string | null = null;
    const header = /\[([0-9a-f]{4,8}:[0-9a-f]{2})\]/.exec(tree);
    if (header) pendingBus = header[1]!;
    const entries = [...tree.matchAll(/([0-9a-f]{2}\.[0-7])(?:-\[([0-9a-f]{2})(?:-[0-9a-f]{2})?\])?/g)];
    entries.forEach((m, i) => {
      const column = m.index!;
      if (pendingBus !== null) busAtColumn.set(column, pendingBus);
      pendingBus = null;
      const bus = busAtColumn.get(column);
      if (bus === undefined) return;
      const address = `${bus}:${m[1]}`;
      out.push({ address, parent: bridgeOfBus.get(bus) ?? null, name: i === entries.length - 1 ? name : "" });
      if (m[2] !== undefined) {
        const secondary = `${bus.slice(0, bus.indexOf(":"))}:${m[2]}`;
        bridgeOfBus.set(secondary, address);
        pendingBus = secondary;
      }
    });
  }
  return out;
}
