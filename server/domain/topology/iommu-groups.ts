// Passthrough safety of an IOMMU group (BEP-1051 A.11). VFIO hands a VM the whole group, so a GPU can
// only be given to a tenant when nothing else of the host's is in its group: the GPU functions, the
// GPUs' own audio functions and PCI bridges (which VFIO leaves to the host) are fine; anything else —
// a NIC, a disk controller, an NVSwitch, a USB controller — would go to the tenant with it.
import { comparePciAddresses, pciSlot } from "./pci-address";
import { describeClass, isAudio, isGpu, isPciBridge, VENDOR_NVIDIA } from "./pci-class";

export type IommuGroupVerdict = "safe" | "unsafe";

export interface GroupMember {
  address: string;
  vendorId: string | null;
  deviceId: string | null;
  classCode: string | null;
}

export interface IommuGroupJudgement {
  verdict: IommuGroupVerdict;
  /** Empty when safe; one sentence per reason otherwise. */
  reasons: string[];
}

function idPair(d: GroupMember): string {
  return `${d.vendorId ?? "????"}:${d.deviceId ?? "????"}`;
}

/**
 * Judges one group. `members` are every device in the group (order does not matter). Pure and total:
 * unknown classes or vendors make a member unacceptable rather than throwing.
 */
export function judgeIommuGroup(groupId: number, members: readonly GroupMember[]): IommuGroupJudgement {
  const sorted = [...members].sort((a, b) => comparePciAddresses(a.address, b.address));
  const gpuSlots = new Set(sorted.filter(isGpu).map((d) => pciSlot(d.address)));
  const reasons: string[] = [];

  if (sorted.length === 0) return { verdict: "unsafe", reasons: [`group ${groupId} has no devices`] };
  if (gpuSlots.size === 0) reasons.push(`group ${groupId} holds no GPU`);

  for (const d of sorted) {
    if (isGpu(d) || isPciBridge(d)) continue;
    // The audio function must belong to one of the group's GPUs (same slot, NVIDIA); a chipset's
    // HD audio controller that landed in the group is somebody else's device.
    if (isAudio(d) && d.vendorId === VENDOR_NVIDIA && gpuSlots.has(pciSlot(d.address))) continue;
    const what = d.classCode === null ? "a device whose class could not be read" : describeClass(d.classCode);
    reasons.push(
      gpuSlots.size > 0
        ? `shares group ${groupId} with ${what} ${d.address} (${idPair(d)})`
        : `holds ${what} ${d.address} (${idPair(d)})`,
    );
  }
  return reasons.length === 0 ? { verdict: "safe", reasons } : { verdict: "unsafe", reasons };
}
