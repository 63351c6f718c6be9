// The host inventory: what discovery read, with every rule of this folder applied. Its JSON form is what
// `hypercell-agent inventory --json` prints and what the agent reports to the controller, so its shape
// is a stable, documented format (docs/agent-inventory.md). Change it only by adding fields.
import { gpuMemoryBytes, lookupGpuModel } from "./gpu-models";
import { judgeIommuGroup, type IommuGroupVerdict } from "./iommu-groups";
import { localTo, rootPortOf, switchUpstreamOf, type PcieLink } from "./locality";
import { comparePciAddresses, naturalCompare } from "./pci-address";
import { isGpu, isNvSwitch, isRdmaNic } from "./pci-class";
import { judgePassthrough, type PassthroughState } from "./passthrough";
import type { PciDevice, PciSnapshot } from "./types";

export const INVENTORY_FORMAT_VERSION = 1;

export interface InventoryDevice {
  address: string;
  vendorId: string | null;
  deviceId: string | null;
  classCode: string | null;
  driver: string | null;
  numaNode: number | null;
  iommuGroup: number | null;
  parent: string | null;
  subsystemVendorId: string | null;
  subsystemDeviceId: string | null;
  physfn: string | null;
}

export interface InventoryNeighbour {
  address: string;
  vendorId: string | null;
  deviceId: string | null;
  classCode: string | null;
  driver: string | null;
  link: PcieLink;
}

export interface InventoryGpu {
  address: string;
  deviceId: string | null;
  /** Model name from the device-ID table, null for an ID the table does not know. */
  model: string | null;
  memoryBytes: number | null;
  /** "model" when memoryBytes comes from the model table, "bar" when from the largest BAR. */
  memorySource: "model" | "bar" | null;
  largestBarBytes: number | null;
  numaNode: number | null;
  iommuGroup: number | null;
  driver: string | null;
  passthrough: PassthroughState;
  reasons: string[];
  nics: InventoryNeighbour[];
  nvswitches: InventoryNeighbour[];
  rootPort: string | null;
  pcieSwitch: string | null;
}

export interface InventoryIommuGroup {
  id: number;
  devices: string[];
  verdict: IommuGroupVerdict;
  reasons: string[];
}

export interface HostInventory {
  formatVersion: number;
  iommuEnabled: boolean;
  iommuUnits: string[];
  devices: InventoryDevice[];
  gpus: InventoryGpu[];
  iommuGroups: InventoryIommuGroup[];
  /** Every NVSwitch on the host (they usually hang off their own root port, away from the GPUs). */
  nvswitches: string[];
  /** Things discovery could not read or that contradict each other; the rest is still reported. */
  warnings: string[];
}

function neighbour(d: PciDevice, link: PcieLink): InventoryNeighbour {
  return { address: d.address, vendorId: d.vendorId, deviceId: d.deviceId, classCode: d.classCode, driver: d.driver, link };
}

/**
 * Groups from both sources sysfs offers: kernel/iommu_groups/<n>/devices and each device's
 * iommu_group link. Normally they agree; snapshots taken without kernel/ only have the links.
 */
function collectGroups(snapshot: PciSnapshot, warnings: string[]): Map<number, Set<string>> {
  const groups = new Map<number, Set<string>>();
  const add = (id: number, address: string) => {
    let members = groups.get(id);
    if (!members) groups.set(id, (members = new Set()));
    members.add(address);
  };
  for (const g of snapshot.iommuGroups) for (const a of g.devices) add(g.id, a);
  const listed = new Map<string, number>();
  for (const g of snapshot.iommuGroups) for (const a of g.devices) listed.set(a, g.id);
  for (const d of snapshot.devices) {
    if (d.iommuGroup === null) continue;
    const fromListing = listed.get(d.address);
    if (snapshot.iommuGroups.length > 0 && fromListing !== d.iommuGroup) {
      warnings.push(
        fromListing === undefined
          ? `${d.address}: its iommu_group link says group ${d.iommuGroup}, but kernel/iommu_groups/${d.iommuGroup}/devices does not list it`
          : `${d.address}: its iommu_group link says group ${d.iommuGroup}, but kernel/iommu_groups lists it in group ${fromListing}`,
      );
    }
    add(d.iommuGroup, d.address);
  }
  return groups;
}

function largestBar(d: PciDevice): number | null {
  let max: number | null = null;
  for (const b of d.bars) if (b.kind !== "io" && (max === null || b.sizeBytes > max)) max = b.sizeBytes;
  return max;
}

/** Applies the topology rules to one host's snapshot. Pure: the same snapshot gives the same inventory. */
export function buildInventory(snapshot: PciSnapshot): HostInventory {
  const warnings: string[] = [];
  const devices = [...snapshot.devices].sort((a, b) => comparePciAddresses(a.address, b.address));
  const byAddress = new Map(devices.map((d) => [d.address, d]));
  for (const d of devices) for (const p of d.problems) warnings.push(`${d.address}: ${p}`);

  const groupMembers = collectGroups(snapshot, warnings);
  // A device's iommu_group link only exists while an IOMMU translates for it, so groups count as
  // evidence too (snapshots often lack class/iommu).
  const iommuEnabled = snapshot.iommuUnits.length > 0 || groupMembers.size > 0;

  const iommuGroups: InventoryIommuGroup[] = [...groupMembers.entries()]
    .sort(([a], [b]) => a - b)
    .map(([id, set]) => {
      const addresses = [...set].sort(comparePciAddresses);
      const members = addresses.map(
        (a) => byAddress.get(a) ?? { address: a, vendorId: null, deviceId: null, classCode: null },
      );
      for (const a of addresses) {
        if (!byAddress.has(a)) warnings.push(`kernel/iommu_groups/${id} lists ${a}, which is not in bus/pci/devices`);
      }
      return { id, devices: addresses, ...judgeIommuGroup(id, members) };
    });
  const groupById = new Map(iommuGroups.map((g) => [g.id, g]));

  const nics = devices.filter(isRdmaNic);
  const switches = devices.filter(isNvSwitch);

  const gpus: InventoryGpu[] = devices.filter(isGpu).map((d) => {
    const model = lookupGpuModel(d.deviceId);
    const barBytes = largestBar(d);
    const memoryBytes = gpuMemoryBytes(model, barBytes);
    const group = d.iommuGroup === null ? undefined : groupById.get(d.iommuGroup);
    const members = (group?.devices ?? []).map(
      (a) => byAddress.get(a) ?? { address: a, vendorId: null, classCode: null, driver: null },
    );
    const verdict = judgePassthrough({
      gpuAddress: d.address,
      iommuEnabled,
      groupId: group ? group.id : null,
      group: group ?? null,
      members,
    });
    return {
      address: d.address,
      deviceId: d.deviceId,
      model: model?.name ?? null,
      memoryBytes,
      memorySource: memoryBytes === null ? null : model?.memoryMiB != null ? "model" : "bar",
      largestBarBytes: barBytes,
      numaNode: d.numaNode,
      iommuGroup: d.iommuGroup,
      driver: d.driver,
      passthrough: verdict.state,
      reasons: verdict.reasons,
      nics: localTo(d, nics).map(({ device, link }) => neighbour(device, link)),
      nvswitches: localTo(d, switches).map(({ device, link }) => neighbour(device, link)),
      rootPort: rootPortOf(d),
      pcieSwitch: switchUpstreamOf(d),
    };
  });

  return {
    formatVersion: INVENTORY_FORMAT_VERSION,
    iommuEnabled,
    iommuUnits: [...snapshot.iommuUnits].sort(naturalCompare),
    devices: devices.map((d) => ({
      address: d.address,
      vendorId: d.vendorId,
      deviceId: d.deviceId,
      classCode: d.classCode,
      driver: d.driver,
      numaNode: d.numaNode,
      iommuGroup: d.iommuGroup,
      parent: d.parent,
      subsystemVendorId: d.subsystemVendorId,
      subsystemDeviceId: d.subsystemDeviceId,
      physfn: d.physfn,
    })),
    gpus,
    iommuGroups,
    nvswitches: switches.map((d) => d.address),
    warnings,
  };
}

/** Short summary for logs and the CLI header. */
export function summarizeInventory(inv: HostInventory): string {
  const by = (s: PassthroughState) => inv.gpus.filter((g) => g.passthrough === s).length;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts = [plural(inv.devices.length, "PCI function"), plural(inv.gpus.length, "GPU")];
  if (inv.gpus.length > 0) {
    parts.push(`${by("ready")} ready, ${by("needs-vfio")} need vfio-pci, ${by("unsafe-group")} in unsafe groups, ${by("no-iommu")} without IOMMU`);
  }
  parts.push(inv.iommuEnabled ? `IOMMU on (${plural(inv.iommuGroups.length, "group")})` : "IOMMU off");
  return parts.join(", ");
}
