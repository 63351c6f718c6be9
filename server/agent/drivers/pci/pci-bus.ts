// The agent's view of the host's PCI bus. SysfsPciBus reads a sysfs tree (the real /sys, or a fake
// tree built by fake-sysfs.ts); FakePciBus answers from a host definition in memory. Both pass
// pci-bus.contract.ts, so code written against PciBus behaves the same on either.
//
// Read-only on purpose: binding devices to vfio-pci is a separate driver with its own rollback rules.
import type { IommuGroupListing, PciDevice, PciSnapshot } from "../../../domain/topology/types";

export type { IommuGroupListing, PciBar, PciBarKind, PciDevice, PciSnapshot } from "../../../domain/topology/types";

export interface PciBus {
  /** Where the bus is read from, for messages: a sysfs root path or `fake:<hostname>`. */
  readonly source: string;

  /**
   * Every PCI function on the host, sorted by address. An attribute that is missing or malformed
   * becomes null (or [] for lists) with a sentence in that device's `problems`; one odd device never
   * fails the call. Throws AppError SYSFS_INVALID when the device list itself cannot be read (no
   * `bus/pci/devices` under the root, or it is not a directory).
   */
  listDevices(): Promise<PciDevice[]>;

  /**
   * One function by address (`0000:18:00.0`; `18:00.0` and upper case are accepted). Throws AppError
   * BAD_INPUT when the text is not a PCI address, NOT_FOUND when the host has no such device, and
   * SYSFS_INVALID as listDevices does. Bad attributes are reported as in listDevices.
   */
  getDevice(address: string): Promise<PciDevice>;

  /**
   * The IOMMU groups listed under `kernel/iommu_groups`, sorted by id, members sorted by address.
   * Returns [] when the directory is absent or empty (IOMMU off). Entries whose name is not a number
   * are skipped. Throws AppError SYSFS_INVALID when the directory exists but cannot be read.
   */
  listIommuGroups(): Promise<IommuGroupListing[]>;

  /**
   * Names of the IOMMU units under `class/iommu` (`dmar0`, `ivhd0`, …), sorted. Returns [] when the
   * directory is absent or empty (IOMMU off). Throws AppError SYSFS_INVALID when it exists but cannot
   * be read.
   */
  listIommuUnits(): Promise<string[]>;
}

/** Reads everything the topology rules need in one go; errors as the PciBus methods it calls. */
export async function readPciSnapshot(bus: PciBus): Promise<PciSnapshot> {
  const [iommuUnits, iommuGroups, devices] = await Promise.all([bus.listIommuUnits(), bus.listIommuGroups(), bus.listDevices()]);
  return { iommuUnits, iommuGroups, devices };
}
