// PciBus answered from a host definition in memory: no files, for unit tests of code that only needs a
// PciBus. Held honest by pci-bus.contract.ts and by a test that compares it, host by host, with
// SysfsPciBus reading the tree fake-sysfs.ts builds from the same definition.
import { AppError } from "../../../errors";
import { comparePciAddresses, naturalCompare, normalizePciAddress } from "../../../domain/topology/pci-address";
import { parseSize, validateHostSpec, type FakeBar, type FakeHostSpec, type FakePciFunction } from "./fake-sysfs";
import type { IommuGroupListing, PciBar, PciBus, PciDevice } from "./pci-bus";

type Method = "listDevices" | "getDevice" | "listIommuGroups" | "listIommuUnits";

function toBar(b: FakeBar): PciBar {
  const io = b.type === "io";
  return {
    index: b.index,
    kind: io ? "io" : b.type.startsWith("mem64") ? "mem64" : "mem32",
    prefetchable: b.type.endsWith("-pref"),
    start: `0x${BigInt(b.start).toString(16)}`,
    sizeBytes: Number(parseSize(b.size)),
  };
}

export class FakePciBus implements PciBus {
  readonly source: string;
  /** Every call, in order, as "method" or "method(arg)". */
  readonly calls: string[] = [];
  private readonly spec: FakeHostSpec;
  private readonly errors = new Map<Method, Error>();

  /** Throws AppError BAD_INPUT when the definition is inconsistent, as buildFakeSysfs does. */
  constructor(spec: FakeHostSpec) {
    validateHostSpec(spec);
    this.spec = spec;
    this.source = `fake:${spec.hostname}`;
  }

  /** Makes the next call of `method` reject with `error` (once). */
  failNext(method: Method, error: Error): void {
    this.errors.set(method, error);
  }

  private enter(method: Method, arg?: string): void {
    this.calls.push(arg === undefined ? method : `${method}(${arg})`);
    const err = this.errors.get(method);
    if (err) {
      this.errors.delete(method);
      throw err;
    }
  }

  async listDevices(): Promise<PciDevice[]> {
    this.enter("listDevices");
    return this.sortedFunctions().map((d) => this.toDevice(d));
  }

  async getDevice(address: string): Promise<PciDevice> {
    this.enter("getDevice", address);
    const canonical = normalizePciAddress(address);
    if (canonical === null) {
      throw new AppError("BAD_INPUT", `${JSON.stringify(address)} is not a PCI address; expected domain:bus:device.function like 0000:18:00.0`);
    }
    const d = this.spec.devices.find((x) => x.address === canonical);
    if (!d) throw new AppError("NOT_FOUND", `no PCI device ${canonical} on ${this.source}`);
    return this.toDevice(d);
  }

  async listIommuGroups(): Promise<IommuGroupListing[]> {
    this.enter("listIommuGroups");
    if (!this.spec.iommu) return [];
    const groups = new Map<number, string[]>();
    for (const d of this.sortedFunctions()) {
      if (d.iommuGroup !== undefined) groups.set(d.iommuGroup, [...(groups.get(d.iommuGroup) ?? []), d.address]);
    }
    return [...groups.entries()].sort(([a], [b]) => a - b).map(([id, devices]) => ({ id, devices }));
  }

  async listIommuUnits(): Promise<string[]> {
    this.enter("listIommuUnits");
    return [...(this.spec.iommu?.units ?? [])].sort(naturalCompare);
  }

  private sortedFunctions(): FakePciFunction[] {
    return [...this.spec.devices].sort((a, b) => comparePciAddresses(a.address, b.address));
  }

  private toDevice(d: FakePciFunction): PciDevice {
    const ancestors: string[] = [];
    for (let p = d.parent; p !== undefined; p = this.spec.devices.find((x) => x.address === p)?.parent) ancestors.unshift(p);
    const top = ancestors[0] ?? d.address;
    const virtfns = this.sortedFunctions()
      .filter((x) => x.physfn === d.address)
      .map((x) => x.address);
    return {
      address: d.address,
      vendorId: d.vendor,
      deviceId: d.device,
      classCode: d.class.slice(0, 4),
      progIf: d.class.slice(4, 6),
      subsystemVendorId: d.subsystemVendor ?? "0000",
      subsystemDeviceId: d.subsystemDevice ?? "0000",
      revision: d.revision ?? "00",
      driver: d.driver ?? null,
      numaNode: d.numaNode === undefined || d.numaNode < 0 ? null : d.numaNode,
      iommuGroup: this.spec.iommu ? (d.iommuGroup ?? null) : null,
      parent: d.parent ?? null,
      ancestors,
      rootBus: top.slice(0, top.lastIndexOf(":")),
      bars: (d.bars ?? []).filter((b) => b.index < 6).map(toBar).sort((a, b) => a.index - b.index),
      physfn: d.physfn ?? null,
      virtfns,
      problems: [],
    };
  }
}
