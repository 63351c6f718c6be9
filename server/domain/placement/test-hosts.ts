// Hosts for the placement tests, shaped like the simulated ones: an 8-GPU HGX board with NVSwitch, four
// PCIe switches of two GPUs and two NUMA nodes, and a 4-GPU PCIe host with one GPU in an unsafe group.
import type { PlacementGpu } from "./choose-gpus";
import type { PlacementHost } from "./select-hosts";

export const GIB = 1024 ** 3;

export function hgxGpus(over: (i: number) => Partial<PlacementGpu> = () => ({})): PlacementGpu[] {
  const buses = ["18", "2a", "3a", "5d", "9a", "ab", "ba", "db"];
  return buses.map((bus, i) => ({
    address: `0000:${bus}:00.0`,
    passthrough: "ready",
    quarantined: false,
    allocated: false,
    numaNode: i < 4 ? 0 : 1,
    pcieSwitch: `0000:0${Math.floor(i / 2)}:00.0`,
    nvlinkDomain: "nvswitch",
    iommuGroup: 30 + i,
    nics: [{ address: `0000:${bus}:01.0`, link: "same-switch" }],
    ...over(i),
  }));
}

export function pcieGpus(): PlacementGpu[] {
  return [0, 1, 2, 3].map((i) => ({
    address: `0000:${(0x41 + i * 0x20).toString(16)}:00.0`,
    passthrough: i === 3 ? "unsafe-group" : "ready",
    quarantined: false,
    allocated: false,
    numaNode: i < 2 ? 0 : 1,
    pcieSwitch: null,
    nvlinkDomain: null,
    iommuGroup: 60 + i,
  }));
}

export function host(id: string, gpus: PlacementGpu[], over: Partial<PlacementHost> = {}): PlacementHost {
  return {
    id,
    status: "ALIVE",
    schedulable: true,
    backend: "kata",
    capacity: { cpu: 128, memBytes: 1024 * GIB, gpus: gpus.length },
    occupied: { cpu: 0, memBytes: 0, gpus: gpus.filter((g) => g.allocated).length },
    vmOverheadBytes: 64 * 1024 * 1024,
    maxGpusPerVm: 8,
    gpus,
    ...over,
  };
}
