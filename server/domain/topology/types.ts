// What discovery knows about one PCI function. Produced by a PciBus driver (server/agent/drivers/pci),
// consumed by the pure rules in this folder. Every field that could not be read is null, and the
// reason is in `problems`, so one odd device never hides the rest of the host.

export type PciBarKind = "mem32" | "mem64" | "io";

export interface PciBar {
  /** BAR number 0–5, as in the `resource` file's line order. */
  index: number;
  kind: PciBarKind;
  prefetchable: boolean;
  /** Start address, lowercase hex with 0x (addresses can exceed 2^53, so not a number). */
  start: string;
  sizeBytes: number;
}

export interface PciDevice {
  /** Canonical address, e.g. `0000:18:00.0`. */
  address: string;
  /** Lowercase hex without 0x, 4 digits. */
  vendorId: string | null;
  deviceId: string | null;
  /** Base class + subclass, 4 lowercase hex digits (`0302`). */
  classCode: string | null;
  /** Programming interface, 2 hex digits. */
  progIf: string | null;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  revision: string | null;
  /** Name of the bound driver (`nvidia`, `vfio-pci`), null when none is bound. */
  driver: string | null;
  /** NUMA node, null when the kernel reports -1 (no affinity) or it is unreadable. */
  numaNode: number | null;
  iommuGroup: number | null;
  /** The upstream bridge this function sits behind; null when it sits on a root bus. */
  parent: string | null;
  /** Bridge chain from the root port down to `parent` (empty on a root bus). */
  ancestors: string[];
  /** Root bus `domain:bus` (from the `pciDDDD:BB` directory), null when unknown. */
  rootBus: string | null;
  bars: PciBar[];
  /** For an SR-IOV virtual function: its physical function. */
  physfn: string | null;
  /** For an SR-IOV physical function: its enabled virtual functions, in virtfn order. */
  virtfns: string[];
  /** Human-readable notes about attributes that were missing or malformed. */
  problems: string[];
}

export interface IommuGroupListing {
  id: number;
  /** Member addresses from kernel/iommu_groups/<id>/devices, sorted. */
  devices: string[];
}

/** Everything discovery read from one host, before any rule is applied. */
export interface PciSnapshot {
  /** Entries of class/iommu (dmar0, ivhd0, smmu3…); empty when the IOMMU is off. */
  iommuUnits: string[];
  iommuGroups: IommuGroupListing[];
  devices: PciDevice[];
}
