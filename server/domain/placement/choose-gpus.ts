// Which GPUs of one host a kernel gets. Only GPUs that are passthrough-ready, free and not quarantined;
// never more than max-gpus-per-vm; and as close together as the host allows, because NCCL traffic
// between GPUs of one VM is fastest over NVLink/NVSwitch, then under one PCIe switch (P2P without the
// root complex), then within one NUMA node. Among equally close sets the smallest group that fits wins
// (best fit), so large groups stay whole for large requests.
import { comparePciAddresses } from "../topology/pci-address";
import type { HostInventory } from "../topology/inventory";
import type { PassthroughState } from "../topology/passthrough";

export interface PlacementGpu {
  address: string;
  passthrough: PassthroughState;
  quarantined: boolean;
  allocated: boolean;
  numaNode: number | null;
  /** Upstream port of the PCIe switch above the GPU; null when it hangs off a root port directly. */
  pcieSwitch: string | null;
  /** GPUs with the same value share an NVLink/NVSwitch fabric; null when the GPU has none. */
  nvlinkDomain: string | null;
  iommuGroup: number | null;
  /**
   * RDMA NICs near the GPU, closest first (from the inventory's locality). `ready`: bound to vfio-pci,
   * so it can be passed through; a NIC without it (absent = ready, for callers that checked) is skipped.
   */
  nics?: { address: string; link: "same-switch" | "same-root-port"; ready?: boolean }[];
}

export type Locality = "nvlink" | "pcie-switch" | "numa" | "spread";

/** Closeness, best first; "spread" means nothing is shared. */
export const LOCALITY_ORDER: readonly Locality[] = ["nvlink", "pcie-switch", "numa", "spread"];

export const LOCALITY_WORDS: Record<Locality, string> = {
  nvlink: "in one NVLink domain",
  "pcie-switch": "under one PCIe switch",
  numa: "on one NUMA node",
  spread: "anywhere on the host",
};

export interface ChooseGpusOptions {
  maxGpusPerVm: number;
  /** Refuse instead of settling for less than this locality; by default the closest set is preferred, not required. */
  requireLocality?: Locality;
  /** Attach the nearest free RDMA NIC of each chosen GPU (BEP A.11's co-plugin). */
  attachNics?: boolean;
  /** NICs already held by other kernels. */
  allocatedNics?: ReadonlySet<string>;
}

export interface GpuChoice {
  ok: true;
  gpus: PlacementGpu[];
  /** How close the chosen GPUs are; "spread" for zero or one GPU without topology facts. */
  locality: Locality;
  /** Attached NICs (empty unless asked for). */
  nics: string[];
}

export interface GpuRefusal {
  ok: false;
  reason: string;
  /** Ready, free, unquarantined GPUs on the host. */
  available: number;
}

/** Can this GPU be given to a VM now? */
export function isEligibleGpu(g: PlacementGpu): boolean {
  return g.passthrough === "ready" && !g.allocated && !g.quarantined && g.iommuGroup !== null;
}

const LEVEL_KEYS: { locality: Locality; key: (g: PlacementGpu) => string | number | null }[] = [
  { locality: "nvlink", key: (g) => g.nvlinkDomain },
  { locality: "pcie-switch", key: (g) => g.pcieSwitch },
  { locality: "numa", key: (g) => g.numaNode },
];

function groupBy(gpus: readonly PlacementGpu[], key: (g: PlacementGpu) => string | number | null): PlacementGpu[][] {
  const groups = new Map<string | number, PlacementGpu[]>();
  for (const g of gpus) {
    const k = key(g);
    if (k === null) continue;
    groups.set(k, [...(groups.get(k) ?? []), g]);
  }
  return [...groups.values()];
}

/** Best fit: the smallest group with at least n, ties to the lowest first address (gpus arrive sorted). */
function bestFit(groups: PlacementGpu[][], n: number): PlacementGpu[] | null {
  let best: PlacementGpu[] | null = null;
  for (const g of groups) {
    if (g.length < n) continue;
    if (best === null || g.length < best.length || (g.length === best.length && comparePciAddresses(g[0]!.address, best[0]!.address) < 0)) best = g;
  }
  return best;
}

/** n GPUs from `gpus` as close as possible from `level` down; returns them and the first level achieved. */
function pick(gpus: PlacementGpu[], n: number, level: number): { gpus: PlacementGpu[]; locality: Locality } {
  for (let l = level; l < LEVEL_KEYS.length; l++) {
    const group = bestFit(groupBy(gpus, LEVEL_KEYS[l]!.key), n);
    // Inside the chosen group, keep refining so e.g. 2 of 8 NVSwitch GPUs also share a PCIe switch.
    if (group) return { gpus: pick(group, n, l + 1).gpus, locality: LEVEL_KEYS[l]!.locality };
  }
  // Nothing shared: fill from the largest NUMA nodes first, so the set touches as few as possible.
  const byNuma = groupBy(gpus, (g) => g.numaNode ?? -1).sort((a, b) => b.length - a.length);
  return { gpus: byNuma.flat().slice(0, n), locality: "spread" };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/**
 * Chooses n GPUs on host `hostName`. Returns the choice with its locality and attached NICs, or a refusal
 * whose reason is a sentence ("host hgx-h100 has 3 ready GPUs; 4 asked"). Never throws; n is a
 * non-negative integer.
 */
export function chooseGpus(hostName: string, gpus: readonly PlacementGpu[], n: number, options: ChooseGpusOptions): GpuChoice | GpuRefusal {
  const eligible = gpus.filter(isEligibleGpu).sort((a, b) => comparePciAddresses(a.address, b.address));
  if (n === 0) return { ok: true, gpus: [], locality: "spread", nics: [] };
  if (n > options.maxGpusPerVm) {
    return { ok: false, reason: `${plural(n, "GPU")} asked; host ${hostName} allows at most ${options.maxGpusPerVm} per VM (max-gpus-per-vm)`, available: eligible.length };
  }
  if (eligible.length < n) {
    return { ok: false, reason: `host ${hostName} has ${eligible.length} ready GPU${eligible.length === 1 ? "" : "s"}; ${n} asked`, available: eligible.length };
  }
  const chosen = pick(eligible, n, 0);
  // One GPU is trivially "together"; report the best level it could share with others.
  const locality = n === 1 ? LEVEL_KEYS.find((l) => l.key(chosen.gpus[0]!) !== null)?.locality ?? "spread" : chosen.locality;
  if (n > 1 && options.requireLocality && LOCALITY_ORDER.indexOf(locality) > LOCALITY_ORDER.indexOf(options.requireLocality)) {
    return {
      ok: false,
      reason: `host ${hostName} has no ${n} ready GPUs ${LOCALITY_WORDS[options.requireLocality]}`,
      available: eligible.length,
    };
  }
  return { ok: true, gpus: chosen.gpus, locality, nics: options.attachNics ? nearestNics(chosen.gpus, options.allocatedNics) : [] };
}

/** For each GPU its closest NIC not yet taken (same switch before same root port), each NIC once. */
export function nearestNics(gpus: readonly PlacementGpu[], allocated: ReadonlySet<string> = new Set()): string[] {
  const taken = new Set(allocated);
  const out: string[] = [];
  for (const g of gpus) {
    const nics = [...(g.nics ?? [])].sort((a, b) => (a.link === b.link ? 0 : a.link === "same-switch" ? -1 : 1));
    const nic = nics.find((n) => n.ready !== false && !taken.has(n.address));
    if (nic) {
      taken.add(nic.address);
      out.push(nic.address);
    }
  }
  return out;
}

/**
 * The placement view of a host's inventory. An HGX/DGX baseboard joins all its GPUs through its
 * NVSwitches, so when the host has any, every GPU is in the one NVLink domain "nvswitch"; GPUs on
 * hosts without NVSwitches get none (NVLink bridges between PCIe card pairs are not in sysfs).
 */
export function placementGpusFromInventory(
  inventory: HostInventory,
  state: { allocated?: ReadonlySet<string>; quarantined?: ReadonlySet<string> } = {},
): PlacementGpu[] {
  const domain = inventory.nvswitches.length > 0 ? "nvswitch" : null;
  return inventory.gpus.map((g) => ({
    address: g.address,
    passthrough: g.passthrough,
    quarantined: state.quarantined?.has(g.address) ?? false,
    allocated: state.allocated?.has(g.address) ?? false,
    numaNode: g.numaNode !== null && g.numaNode >= 0 ? g.numaNode : null,
    pcieSwitch: g.pcieSwitch,
    nvlinkDomain: domain,
    iommuGroup: g.iommuGroup,
    nics: g.nics.map((n) => ({ address: n.address, link: n.link })),
  }));
}
