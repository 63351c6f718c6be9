// Labels on the containerd sandbox and container. A restarted agent rebuilds its kernels and its GPU
// allocation map from these alone (with resource.txt as the second record), so they say which session,
// kernel and PCI devices each object holds.
import { AppError } from "../../errors";

export const LABEL = {
  sessionId: "ai.hypercell.session-id",
  kernelId: "ai.hypercell.kernel-id",
  clusterRole: "ai.hypercell.cluster-role",
  clusterIdx: "ai.hypercell.cluster-idx",
  pciAddresses: "ai.hypercell.pci-addresses",
  iommuGroups: "ai.hypercell.iommu-groups",
  nicAddresses: "ai.hypercell.nic-addresses",
} as const;

export interface KernelLabels {
  sessionId: string;
  kernelId: string;
  clusterRole: string;
  clusterIdx: number;
  /** GPU PCI addresses, allocation order. */
  pciAddresses: string[];
  /** IOMMU group of each passed-through device (GPUs, then NICs), each once. */
  iommuGroups: number[];
  nicAddresses: string[];
}

/** Label map for containerd (comma lists; empty string for none). */
export function renderKernelLabels(l: KernelLabels): Record<string, string> {
  return {
    [LABEL.sessionId]: l.sessionId,
    [LABEL.kernelId]: l.kernelId,
    [LABEL.clusterRole]: l.clusterRole,
    [LABEL.clusterIdx]: String(l.clusterIdx),
    [LABEL.pciAddresses]: l.pciAddresses.join(","),
    [LABEL.iommuGroups]: l.iommuGroups.join(","),
    [LABEL.nicAddresses]: l.nicAddresses.join(","),
  };
}

/**
 * Reads labels back; null when the object is not a Hypercell kernel (no session-id or kernel-id label),
 * so recovery can report a stranger instead of adopting it. Throws AppError INTERNAL naming the label
 * when one of ours is malformed.
 */
export function parseKernelLabels(labels: Record<string, string | undefined>): KernelLabels | null {
  const sessionId = labels[LABEL.sessionId];
  const kernelId = labels[LABEL.kernelId];
  if (!sessionId || !kernelId) return null;
  const list = (k: string) => {
    const v = labels[k] ?? "";
    return v === "" ? [] : v.split(",");
  };
  const idx = Number(labels[LABEL.clusterIdx] ?? "");
  if (!Number.isInteger(idx) || idx < 0) throw new AppError("INTERNAL", `label ${LABEL.clusterIdx} of kernel ${kernelId} is not a non-negative integer`);
  const groups = list(LABEL.iommuGroups).map((g) => {
    const n = Number(g);
    if (!Number.isInteger(n) || n < 0) throw new AppError("INTERNAL", `label ${LABEL.iommuGroups} of kernel ${kernelId} holds ${JSON.stringify(g)}, not a group number`);
    return n;
  });
  return {
    sessionId,
    kernelId,
    clusterRole: labels[LABEL.clusterRole] ?? "",
    clusterIdx: idx,
    pciAddresses: list(LABEL.pciAddresses),
    iommuGroups: groups,
    nicAddresses: list(LABEL.nicAddresses),
  };
}
