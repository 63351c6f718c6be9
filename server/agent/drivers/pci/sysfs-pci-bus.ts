// PciBus on a sysfs tree: the real /sys on a host, or any directory laid out like it (a fake tree from
// fake-sysfs.ts, a snapshot unpacked from a real machine). The root is an option so the same code runs
// on both (as in NVIDIA's go-nvlib).
//
// sysfs is read as Linux lays it out:
//   bus/pci/devices/<addr>            symlink into devices/pciDDDD:BB/<bridge>/…/<addr>; the path is the bridge chain
//   <dev>/vendor device class subsystem_vendor subsystem_device revision numa_node resource modalias
//   <dev>/driver                      symlink to bus/pci/drivers/<name>
//   <dev>/iommu_group                 symlink to kernel/iommu_groups/<n>
//   <dev>/physfn, <dev>/virtfn<N>     SR-IOV links
//   kernel/iommu_groups/<n>/devices/  class/iommu/
import type { Dirent } from "node:fs";
import { readdir, readFile, readlink, realpath, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../../errors";
import { comparePciAddresses, isPciAddress, naturalCompare, normalizePciAddress } from "../../../domain/topology/pci-address";
import type { IommuGroupListing, PciBar, PciBus, PciDevice } from "./pci-bus";

export interface SysfsPciBusOptions {
  /** Directory laid out like /sys. Default "/sys". */
  root?: string;
  /** How many devices are read at once; bounded so a 2,000-device host does not open 30,000 files together. */
  concurrency?: number;
}

// Flag bits of the third column of <dev>/resource (include/linux/ioport.h).
const IORESOURCE_IO = 0x100n;
const IORESOURCE_MEM = 0x200n;
const IORESOURCE_PREFETCH = 0x2000n;
const IORESOURCE_MEM_64 = 0x100000n;
const STANDARD_BARS = 6;

function errCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

function quote(text: string): string {
  const t = text.trim();
  return JSON.stringify(t.length > 40 ? `${t.slice(0, 40)}…` : t);
}

/** Parses a `resource` file into the six standard BARs; malformed lines become problems. */
export function parseResourceFile(text: string, problems: string[]): PciBar[] {
  const bars: PciBar[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < Math.min(lines.length, STANDARD_BARS); index += 1) {
    const line = lines[index]!.trim();
    if (line === "") continue;
    const m = /^(0x[0-9a-fA-F]+)\s+(0x[0-9a-fA-F]+)\s+(0x[0-9a-fA-F]+)$/.exec(line);
    if (!m) {
      problems.push(`resource line ${index + 1} is ${quote(line)}, not three hex numbers`);
      continue;
    }
    const start = BigInt(m[1]!);
    const end = BigInt(m[2]!);
    const flags = BigInt(m[3]!);
    if (flags === 0n && start === 0n && end === 0n) continue; // unused BAR
    if (end < start) {
      problems.push(`resource line ${index + 1} ends (${m[2]}) before it starts (${m[1]})`);
      continue;
    }
    if ((flags & (IORESOURCE_IO | IORESOURCE_MEM)) === 0n || end === 0n) continue; // unassigned or not a BAR
    const io = (flags & IORESOURCE_IO) !== 0n;
    bars.push({
      index,
      kind: io ? "io" : (flags & IORESOURCE_MEM_64) !== 0n ? "mem64" : "mem32",
      prefetchable: !io && (flags & IORESOURCE_PREFETCH) !== 0n,
      start: `0x${start.toString(16)}`,
      sizeBytes: Number(end - start + 1n),
    });
  }
  return bars;
}

function parseHexId(text: string | null, file: string, problems: string[]): string | null {
  if (text === null) return null;
  const t = text.trim();
  if (/^0x[0-9a-fA-F]{4}$/.test(t)) return t.slice(2).toLowerCase();
  problems.push(`${file} holds ${quote(t)}, not a 16-bit hex ID like 0x10de`);
  return null;
}

async function limitedMap<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

export class SysfsPciBus implements PciBus {
  readonly source: string;
  private readonly root: string;
  private readonly concurrency: number;

  constructor(options: SysfsPciBusOptions = {}) {
    this.root = path.resolve(options.root ?? "/sys");
    this.source = this.root;
    this.concurrency = options.concurrency ?? 32;
  }

  private get devicesDir(): string {
    return path.join(this.root, "bus", "pci", "devices");
  }

  private async deviceNames(): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(this.devicesDir, { withFileTypes: true });
    } catch (err) {
      const code = errCode(err);
      const why =
        code === "ENOENT" ? "does not exist" : code === "ENOTDIR" ? "is not a directory" : `cannot be read (${code ?? String(err)})`;
      throw new AppError("SYSFS_INVALID", `${this.devicesDir} ${why}: ${this.root} is not a sysfs root with a PCI bus`, {
        root: this.root,
      });
    }
    return entries.map((e) => e.name).filter(isPciAddress).sort(comparePciAddresses);
  }

  async listDevices(): Promise<PciDevice[]> {
    const names = await this.deviceNames();
    const realRoot = await this.realRoot();
    return limitedMap(names, this.concurrency, (name) => this.readDevice(name, realRoot));
  }

  async getDevice(address: string): Promise<PciDevice> {
    const canonical = normalizePciAddress(address);
    if (canonical === null) {
      throw new AppError("BAD_INPUT", `${JSON.stringify(address)} is not a PCI address; expected domain:bus:device.function like 0000:18:00.0`);
    }
    const names = await this.deviceNames();
    if (!names.includes(canonical)) throw new AppError("NOT_FOUND", `no PCI device ${canonical} under ${this.devicesDir}`);
    return this.readDevice(canonical, await this.realRoot());
  }

  async listIommuGroups(): Promise<IommuGroupListing[]> {
    const dir = path.join(this.root, "kernel", "iommu_groups");
    const names = await this.optionalDir(dir);
    const groups = await limitedMap(
      names.filter((n) => /^\d+$/.test(n)),
      this.concurrency,
      async (name): Promise<IommuGroupListing> => {
        let members: string[] = [];
        try {
          members = (await readdir(path.join(dir, name, "devices"))).filter(isPciAddress).sort(comparePciAddresses);
        } catch (err) {
          if (errCode(err) !== "ENOENT") {
            throw new AppError("SYSFS_INVALID", `${path.join(dir, name, "devices")} cannot be read (${errCode(err) ?? String(err)})`);
          }
        }
        return { id: Number(name), devices: members };
      },
    );
    return groups.sort((a, b) => a.id - b.id);
  }

  async listIommuUnits(): Promise<string[]> {
    return (await this.optionalDir(path.join(this.root, "class", "iommu"))).sort(naturalCompare);
  }

  private async optionalDir(dir: string): Promise<string[]> {
    try {
      return await readdir(dir);
    } catch (err) {
      const code = errCode(err);
      if (code === "ENOENT") return [];
      throw new AppError("SYSFS_INVALID", `${dir} cannot be read (${code ?? String(err)})`, { root: this.root });
    }
  }

  private async realRoot(): Promise<string> {
    try {
      return await realpath(this.root);
    } catch {
      return this.root;
    }
  }

  private async readDevice(address: string, realRoot: string): Promise<PciDevice> {
    const problems: string[] = [];
    const device: PciDevice = {
      address,
      vendorId: null,
      deviceId: null,
      classCode: null,
      progIf: null,
      subsystemVendorId: null,
      subsystemDeviceId: null,
      revision: null,
      driver: null,
      numaNode: null,
      iommuGroup: null,
      parent: null,
      ancestors: [],
      rootBus: null,
      bars: [],
      physfn: null,
      virtfns: [],
      problems,
    };

    const link = path.join(this.devicesDir, address);
    let dir: string;
    try {
      dir = await realpath(link);
    } catch (err) {
      const target = await readlink(link).catch(() => null);
      problems.push(
        errCode(err) === "ENOENT" && target !== null
          ? `bus/pci/devices/${address} is a dangling link (to ${target}); nothing about the device can be read`
          : `bus/pci/devices/${address} cannot be resolved (${errCode(err) ?? String(err)})`,
      );
      return device;
    }
    try {
      if (!(await stat(dir)).isDirectory()) {
        problems.push(`bus/pci/devices/${address} is not a directory or a link to one`);
        return device;
      }
    } catch (err) {
      problems.push(`bus/pci/devices/${address} cannot be read (${errCode(err) ?? String(err)})`);
      return device;
    }

    this.placeInTree(device, dir, realRoot);

    // Reads run in parallel; their complaints are kept per file and reported in a fixed order below.
    const readErrors = new Map<string, string>();
    const read = async (file: string): Promise<string | null> => {
      try {
        return await readFile(path.join(dir, file), "utf8");
      } catch (err) {
        const code = errCode(err);
        if (code !== "ENOENT") readErrors.set(file, `${file} cannot be read (${code === "EISDIR" ? "it is a directory" : (code ?? String(err))})`);
        return null;
      }
    };
    const linkName = async (name: string): Promise<string | null> => {
      try {
        return path.basename((await readlink(path.join(dir, name))).replace(/\/+$/, ""));
      } catch (err) {
        const code = errCode(err);
        if (code !== "ENOENT") readErrors.set(name, code === "EINVAL" ? `${name} is not a symlink` : `${name} link cannot be read (${code ?? String(err)})`);
        return null;
      }
    };

    const [vendor, deviceFile, cls, subVendor, subDevice, revision, numa, resource, driver, group, physfn, entries] = await Promise.all([
      read("vendor"),
      read("device"),
      read("class"),
      read("subsystem_vendor"),
      read("subsystem_device"),
      read("revision"),
      read("numa_node"),
      read("resource"),
      linkName("driver"),
      linkName("iommu_group"),
      linkName("physfn"),
      readdir(dir).catch(() => [] as string[]),
    ]);

    const ATTRIBUTES = ["vendor", "device", "class", "subsystem_vendor", "subsystem_device", "revision", "numa_node", "resource", "driver", "iommu_group", "physfn"];
    for (const name of ATTRIBUTES) {
      const complaint = readErrors.get(name);
      if (complaint) problems.push(complaint);
    }
    for (const [file, text] of [["vendor", vendor], ["device", deviceFile], ["class", cls]] as const) {
      if (text === null && !readErrors.has(file)) problems.push(`${file} file is missing`);
    }
    device.vendorId = parseHexId(vendor, "vendor", problems);
    device.deviceId = parseHexId(deviceFile, "device", problems);
    if (cls !== null) {
      const t = cls.trim();
      if (/^0x[0-9a-fA-F]{6}$/.test(t)) {
        device.classCode = t.slice(2, 6).toLowerCase();
        device.progIf = t.slice(6, 8).toLowerCase();
      } else {
        problems.push(`class holds ${quote(t)}, not a 24-bit hex class code like 0x030200`);
      }
    }
    device.subsystemVendorId = parseHexId(subVendor, "subsystem_vendor", problems);
    device.subsystemDeviceId = parseHexId(subDevice, "subsystem_device", problems);
    if (subVendor === null && subDevice === null) {
      // Some snapshots (and old kernels) lack the subsystem files; modalias carries the same IDs.
      const m = /sv0000([0-9A-Fa-f]{4})sd0000([0-9A-Fa-f]{4})/.exec((await read("modalias")) ?? "");
      if (m) {
        device.subsystemVendorId = m[1]!.toLowerCase();
        device.subsystemDeviceId = m[2]!.toLowerCase();
      }
    }
    if (revision !== null) {
      const t = revision.trim();
      if (/^0x[0-9a-fA-F]{2}$/.test(t)) device.revision = t.slice(2).toLowerCase();
      else problems.push(`revision holds ${quote(t)}, not an 8-bit hex number like 0xa1`);
    }
    if (numa !== null) {
      const t = numa.trim();
      if (/^-?\d+$/.test(t)) device.numaNode = Number(t) < 0 ? null : Number(t);
      else problems.push(`numa_node holds ${quote(t)}, not a node number`);
    }
    if (resource !== null) device.bars = parseResourceFile(resource, problems);
    device.driver = driver;
    if (group !== null) {
      if (/^\d+$/.test(group)) device.iommuGroup = Number(group);
      else problems.push(`iommu_group points to ${quote(group)}, not a numbered group`);
    }
    if (physfn !== null) {
      if (isPciAddress(physfn)) device.physfn = physfn;
      else problems.push(`physfn points to ${quote(physfn)}, not a PCI address`);
    }
    const virtfnLinks = entries
      .map((e) => /^virtfn(\d+)$/.exec(e))
      .filter((m): m is RegExpExecArray => m !== null)
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    for (const m of virtfnLinks) {
      const vf = await linkName(m[0]);
      if (vf !== null && isPciAddress(vf)) device.virtfns.push(vf);
      else if (vf !== null) problems.push(`${m[0]} points to ${quote(vf)}, not a PCI address`);
      else if (readErrors.has(m[0])) problems.push(readErrors.get(m[0])!);
    }
    return device;
  }

  /** Fills parent, ancestors and rootBus from where the device directory sits under devices/. */
  private placeInTree(device: PciDevice, dir: string, realRoot: string): void {
    const rel = path.relative(path.join(realRoot, "devices"), dir);
    if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) return; // not under devices/: no chain to read
    const parts = rel.split(path.sep);
    const last = parts[parts.length - 1];
    if (last !== device.address) {
      device.problems.push(`bus/pci/devices/${device.address} leads to ${rel}, whose name does not match`);
    }
    const above = parts.slice(0, -1);
    for (const part of above) {
      const root = /^pci([0-9a-f]{4,8}:[0-9a-f]{2})$/.exec(part);
      if (root) device.rootBus = root[1]!;
    }
    device.ancestors = above.filter(isPciAddress);
    device.parent = device.ancestors[device.ancestors.length - 1] ?? null;
  }
}
