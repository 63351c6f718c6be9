// Whether one GPU can be handed to a VM right now, and if not, what stands in the way.
import type { IommuGroupJudgement } from "./iommu-groups";
import { isPciBridge } from "./pci-class";

export type PassthroughState = "ready" | "needs-vfio" | "unsafe-group" | "no-iommu";

export const VFIO_DRIVER = "vfio-pci";

export interface PassthroughMember {
  address: string;
  classCode: string | null;
  vendorId: string | null;
  driver: string | null;
}

export interface PassthroughInput {
  gpuAddress: string;
  iommuEnabled: boolean;
  /** The GPU's group id, null when it has none. */
  groupId: number | null;
  /** Judgement of that group; ignored when groupId is null. */
  group: IommuGroupJudgement | null;
  /** Every member of the group, the GPU included. */
  members: readonly PassthroughMember[];
}

export interface PassthroughVerdict {
  state: PassthroughState;
  reasons: string[];
}

export const IOMMU_OFF_REASON =
  "IOMMU is off on this host: there are no IOMMU groups and nothing in class/iommu; " +
  "enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on iommu=pt (Intel) or amd_iommu=on iommu=pt (AMD)";

/**
 * ready: group safe and every non-bridge member bound to vfio-pci (bridges stay with the host, as VFIO
 * expects); needs-vfio: group safe but some member on another driver or none; unsafe-group: the group
 * holds something that is not the GPU's; no-iommu: no IOMMU on the host or no group for this GPU.
 */
export function judgePassthrough(input: PassthroughInput): PassthroughVerdict {
  if (!input.iommuEnabled) return { state: "no-iommu", reasons: [IOMMU_OFF_REASON] };
  if (input.groupId === null || input.group === null) {
    return {
      state: "no-iommu",
      reasons: [`${input.gpuAddress} has no IOMMU group although the host has an IOMMU; it is not behind a translating IOMMU unit`],
    };
  }
  if (input.group.verdict === "unsafe") return { state: "unsafe-group", reasons: [...input.group.reasons] };

  const reasons: string[] = [];
  for (const m of input.members) {
    if (isPciBridge(m) || m.driver === VFIO_DRIVER) continue;
    reasons.push(
      m.driver === null
        ? `${m.address} has no driver bound; it must be bound to ${VFIO_DRIVER}`
        : `${m.address} is bound to ${m.driver}, not ${VFIO_DRIVER}`,
    );
  }
  return reasons.length === 0 ? { state: "ready", reasons } : { state: "needs-vfio", reasons };
}
