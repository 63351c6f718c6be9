// Host selection for one session: every kernel is one VM, all GPUs of a kernel come from one host, and
// the VMs of a multi-VM cluster go to different hosts. Kata hosts offer capacity net of VM overhead:
// each VM also costs the host `vmOverheadBytes` (VMM, guest kernel, kata-agent). Among hosts that fit,
// the closer GPU set wins, then Backend.AI's agent-selection strategy: "dispersed" (least utilised
// first) or "concentrated" (most utilised first, bin packing).
import { longestCoveringMountpoint } from "../storage/paths";
import { chooseGpus, isEligibleGpu, LOCALITY_ORDER, LOCALITY_WORDS, type Locality, type PlacementGpu } from "./choose-gpus";

export interface Slots {
  cpu: number;
  memBytes: number;
  gpus: number;
}

export interface PlacementHost {
  id: string;
  /** Agent status; only "ALIVE" hosts take work. */
  status: string;
  schedulable: boolean;
  backend: string;
  capacity: Slots;
  /** What live kernels hold, VM overhead of their VMs included in memBytes. */
  occupied: Slots;
  /** Host memory each VM costs beyond its guest RAM; 0 for non-VM backends. */
  vmOverheadBytes: number;
  maxGpusPerVm: number;
  /** RDMA NICs already passed through to live kernels. */
  allocatedNics?: string[];
  /** Host paths of the storage volumes its VMs can mount (the agent's [[kata.storage-mounts]]). */
  storageMountpoints?: string[];
  gpus: PlacementGpu[];
}

export interface SessionRequest {
  /** Per kernel (per VM). */
  kernel: Slots;
  /** Number of kernels; more than one means one VM per host. */
  clusterSize: number;
  /** Refuse hosts whose best GPU set is less close than this; by default closeness is preferred, not required. */
  requireLocality?: Locality;
  attachNics?: boolean;
  /** Hosts that gave up starting this session before (BEP-1030 reschedule): placed elsewhere. */
  avoidHosts?: string[];
  /** The session's vfolders: every VM must run on a host that can mount all of them. */
  storage?: { name: string; hostPath: string; /** The storage volume's name, for the reason. */ volume?: string }[];
}

export type AgentSelection = "dispersed" | "concentrated";

export interface SelectHostsOptions {
  resourceGroup: string;
  /** The resource group's backend; hosts of any other backend are not considered. */
  backend: string;
  strategy: AgentSelection;
}

export interface KernelPlacement {
  clusterIdx: number;
  hostId: string;
  gpus: { address: string; iommuGroup: number }[];
  locality: Locality;
  nics: string[];
  /** What to add to the host's occupied slots: the request plus one VM's overhead in memBytes. */
  reserve: Slots;
}

export type SelectHostsResult = { ok: true; placements: KernelPlacement[] } | { ok: false; reason: string };

const GIB = 1024 ** 3;

function formatBytes(bytes: number): string {
  const gib = bytes / GIB;
  return Number.isInteger(gib) ? `${gib} GiB` : `${Math.max(0, Math.floor(gib * 10) / 10)} GiB`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function free(h: PlacementHost): Slots {
  return { cpu: h.capacity.cpu - h.occupied.cpu, memBytes: h.capacity.memBytes - h.occupied.memBytes, gpus: h.capacity.gpus - h.occupied.gpus };
}

/** Mean share of capacity in use over the slots the host has. */
export function utilisation(h: PlacementHost): number {
  const shares: number[] = [];
  if (h.capacity.cpu > 0) shares.push(h.occupied.cpu / h.capacity.cpu);
  if (h.capacity.memBytes > 0) shares.push(h.occupied.memBytes / h.capacity.memBytes);
  if (h.capacity.gpus > 0) shares.push(h.occupied.gpus / h.capacity.gpus);
  return shares.length === 0 ? 0 : shares.reduce((a, b) => a + b, 0) / shares.length;
}

interface Fit {
  host: PlacementHost;
  gpus: PlacementGpu[];
  locality: Locality;
  nics: string[];
}

/**
 * Places every kernel of a session, or says in one sentence why it must wait
 * ("8 GPUs asked; the largest passthrough-safe set on one host in gpu-kata is 4"). Pure; never throws.
 */
export function selectHosts(hosts: readonly PlacementHost[], request: SessionRequest, options: SelectHostsOptions): SelectHostsResult {
  const { resourceGroup: rg, backend } = options;
  const k = request.clusterSize;
  const n = request.kernel.gpus;
  const needHosts = (m: number, what: string) =>
    `a cluster of ${k} VMs needs ${k} hosts (one VM per host) ${what}; ${rg} has ${m}`;

  const avoid = request.avoidHosts ?? [];
  const alive = hosts.filter((h) => h.status === "ALIVE" && h.schedulable && h.backend === backend && !avoid.includes(h.id));
  if (alive.length < k) {
    const besides = avoid.length ? ` besides ${avoid.join(", ")} (which could not start it)` : "";
    return { ok: false, reason: k === 1 || alive.length === 0 ? `no ALIVE, schedulable ${backend} host in ${rg}${besides}` : needHosts(alive.length, `that are ALIVE and schedulable${besides}`) };
  }

  const storage = request.storage ?? [];
  if (storage.length) {
    const canMount = (h: PlacementHost, hostPath: string) => longestCoveringMountpoint(hostPath, h.storageMountpoints ?? []) !== null;
    const mounting = alive.filter((h) => storage.every((v) => canMount(h, v.hostPath)));
    if (mounting.length < k) {
      if (k > 1 && mounting.length > 0) return { ok: false, reason: needHosts(mounting.length, `that can mount every vfolder`) };
      const mountpoints = [...new Set(alive.flatMap((h) => h.storageMountpoints ?? []))].sort();
      const where = mountpoints.length ? `its hosts mount ${mountpoints.join(", ")}` : "none of its hosts configures [[kata.storage-mounts]]";
      const missing = storage.find((v) => !alive.some((h) => canMount(h, v.hostPath)));
      return {
        ok: false,
        reason: missing
          ? `no ${backend} host in ${rg} can mount vfolder "${missing.name}" (${missing.volume ? `volume ${missing.volume}` : missing.hostPath}); ${where}`
          : `no ${backend} host in ${rg} can mount all of the vfolders ${storage.map((v) => `"${v.name}"`).join(", ")} at once; ${where}`,
      };
    }
    alive.splice(0, alive.length, ...mounting);
  }

  const safeSet = (h: PlacementHost) => Math.min(h.maxGpusPerVm, h.gpus.filter((g) => g.passthrough === "ready" && !g.quarantined && g.iommuGroup !== null).length);
  const structural = alive.filter((h) => safeSet(h) >= n);
  if (structural.length < k) {
    const maxPerVm = Math.max(...alive.map((h) => h.maxGpusPerVm));
    if (n > maxPerVm) return { ok: false, reason: `${plural(n, "GPU")} asked; max-gpus-per-vm is ${maxPerVm} on every host in ${rg}` };
    const largest = Math.max(...alive.map(safeSet));
    return {
      ok: false,
      reason: k === 1 || structural.length === 0 ? `${plural(n, "GPU")} asked; the largest passthrough-safe set on one host in ${rg} is ${largest}` : needHosts(structural.length, `with ${plural(n, "passthrough-safe GPU")} each`),
    };
  }

  const freeGpus = (h: PlacementHost) => Math.min(free(h).gpus, h.gpus.filter(isEligibleGpu).length);
  const withFreeGpus = structural.filter((h) => freeGpus(h) >= n);
  if (withFreeGpus.length < k) {
    const most = Math.max(...structural.map(freeGpus));
    return {
      ok: false,
      reason: k === 1 || withFreeGpus.length === 0 ? `no host in ${rg} has ${plural(n, "free ready GPU")} now (most on one host: ${most})` : needHosts(withFreeGpus.length, `with ${plural(n, "free ready GPU")} each`),
    };
  }

  const fits: Fit[] = [];
  for (const h of withFreeGpus) {
    const choice = chooseGpus(h.id, h.gpus, n, { maxGpusPerVm: h.maxGpusPerVm, requireLocality: request.requireLocality, attachNics: request.attachNics, allocatedNics: new Set(h.allocatedNics ?? []) });
    if (choice.ok) fits.push({ host: h, gpus: choice.gpus, locality: choice.locality, nics: choice.nics });
  }
  if (fits.length < k) {
    const words = LOCALITY_WORDS[request.requireLocality ?? "spread"];
    return { ok: false, reason: k === 1 || fits.length === 0 ? `no host in ${rg} has ${plural(n, "ready GPU")} ${words}` : needHosts(fits.length, `with ${plural(n, "ready GPU")} ${words}`) };
  }

  const roomy = fits.filter(({ host }) => {
    const f = free(host);
    return f.cpu >= request.kernel.cpu && f.memBytes >= request.kernel.memBytes + host.vmOverheadBytes;
  });
  if (roomy.length < k) {
    const best = [...fits].sort((a, b) => free(b.host).memBytes - b.host.vmOverheadBytes - (free(a.host).memBytes - a.host.vmOverheadBytes))[0]!;
    const bf = free(best.host);
    const want = `${plural(request.kernel.cpu, "vCPU")} and ${formatBytes(request.kernel.memBytes)} free after VM overhead`;
    return {
      ok: false,
      reason:
        k === 1 || roomy.length === 0
          ? `no host in ${rg} has ${want} (most free: ${best.host.id} with ${plural(bf.cpu, "vCPU")}, ${formatBytes(bf.memBytes - best.host.vmOverheadBytes)})`
          : needHosts(roomy.length, `with ${want}`),
    };
  }

  const sign = options.strategy === "dispersed" ? 1 : -1;
  const eligibleFree = (h: PlacementHost) => h.gpus.filter(isEligibleGpu).length;
  roomy.sort(
    (a, b) =>
      // Closeness only means something between two or more GPUs.
      (n >= 2 ? LOCALITY_ORDER.indexOf(a.locality) - LOCALITY_ORDER.indexOf(b.locality) : 0) ||
      // A kernel without GPUs goes where it strands the fewest GPUs.
      (n === 0 ? eligibleFree(a.host) - eligibleFree(b.host) : 0) ||
      sign * (utilisation(a.host) - utilisation(b.host)) ||
      (a.host.id < b.host.id ? -1 : a.host.id > b.host.id ? 1 : 0),
  );
  const placements = roomy.slice(0, k).map(
    (f, clusterIdx): KernelPlacement => ({
      clusterIdx,
      hostId: f.host.id,
      gpus: f.gpus.map((g) => ({ address: g.address, iommuGroup: g.iommuGroup! })),
      locality: f.locality,
      nics: f.nics,
      reserve: { cpu: request.kernel.cpu, memBytes: request.kernel.memBytes + f.host.vmOverheadBytes, gpus: n },
    }),
  );
  return { ok: true, placements };
}
