// What `npm start` shows for each simulated host. The hosts are read through FakePciBus, which
// sysfs-pci-bus.test.ts proves gives exactly what the real SysfsPciBus reads from each host's tree.
import { beforeAll, describe, expect, it } from "vitest";
import { FakePciBus } from "../../drivers/pci/fake-pci-bus";
import { readPciSnapshot } from "../../drivers/pci/pci-bus";
import { buildInventory, type HostInventory } from "@/server/domain/topology/inventory";
import { getSimHost, HGX_NVIDIA_BOUND_GPU, listSimHosts, PCIE_UNSAFE_GPU } from ".";

const inventories = new Map<string, HostInventory>();
beforeAll(async () => {
  for (const host of listSimHosts()) inventories.set(host.hostname, buildInventory(await readPciSnapshot(new FakePciBus(host))));
});
const inv = (hostname: string) => inventories.get(hostname)!;

describe("simulated hosts", () => {
  it("are the HGX, the 4-GPU PCIe host, the CPU-only host and the IOMMU-off host, with unique names", () => {
    expect(listSimHosts().map((h) => h.hostname)).toEqual(["hgx-h100", "pcie-4gpu", "cpu-only", "iommu-off"]);
    expect(getSimHost("pcie-4gpu")?.hostname).toBe("pcie-4gpu");
    expect(getSimHost("nope")).toBeNull();
  });

  it("read without a single warning", () => {
    for (const [name, i] of inventories) expect(i.warnings, name).toEqual([]);
  });

  it("hgx-h100: 8 H100 over two NUMA nodes, one ConnectX-7 beside each, NVSwitches, one GPU still on nvidia", () => {
    const i = inv("hgx-h100");
    expect(i.iommuEnabled).toBe(true);
    expect(i.gpus).toHaveLength(8);
    expect(i.gpus.every((g) => g.model === "H100 80GB HBM3" && g.memoryBytes === 81559 * 2 ** 20 && g.largestBarBytes === 128 * 2 ** 30)).toBe(true);
    expect(i.gpus.filter((g) => g.numaNode === 0)).toHaveLength(4);
    expect(i.gpus.filter((g) => g.numaNode === 1)).toHaveLength(4);
    for (const g of i.gpus) {
      expect(g.nics.filter((n) => n.deviceId === "1021" && n.link === "same-switch"), g.address).toHaveLength(1);
      expect(g.pcieSwitch, g.address).not.toBeNull();
    }
    expect(i.nvswitches).toEqual(["0000:83:00.0", "0000:84:00.0", "0000:85:00.0", "0000:86:00.0"]);
    expect(i.gpus.every((g) => g.nvswitches.length === 0)).toBe(true); // they sit on their own root port
    const states = Object.fromEntries(i.gpus.map((g) => [g.address, g.passthrough]));
    expect(states[HGX_NVIDIA_BOUND_GPU]).toBe("needs-vfio");
    expect(Object.values(states).filter((s) => s === "ready")).toHaveLength(7);
    expect(i.gpus.find((g) => g.address === HGX_NVIDIA_BOUND_GPU)!.reasons).toEqual([`${HGX_NVIDIA_BOUND_GPU} is bound to nvidia, not vfio-pci`]);
    expect(i.devices.find((d) => d.address === "0000:9d:00.2")).toMatchObject({ physfn: "0000:9d:00.0", parent: "0000:99:03.0" });
  });

  it("pcie-4gpu: one GPU shares its group with the E810 NIC and is refused; one waits for its audio function", () => {
    const i = inv("pcie-4gpu");
    const byAddress = Object.fromEntries(i.gpus.map((g) => [g.address, g]));
    expect(Object.keys(byAddress)).toEqual(["0000:01:00.0", "0000:41:00.0", "0000:c1:00.0", "0000:e1:00.0"]);
    expect(i.gpus.every((g) => g.model === "RTX 6000 Ada Generation")).toBe(true);
    expect(byAddress["0000:01:00.0"]!.passthrough).toBe("ready");
    expect(byAddress["0000:41:00.0"]!.passthrough).toBe("ready");
    expect(byAddress["0000:c1:00.0"]).toMatchObject({ passthrough: "needs-vfio", reasons: ["0000:c1:00.1 is bound to snd_hda_intel, not vfio-pci"] });
    const unsafe = byAddress[PCIE_UNSAFE_GPU]!;
    expect(unsafe.passthrough).toBe("unsafe-group");
    expect(unsafe.reasons).toEqual([
      `shares group ${unsafe.iommuGroup} with network controller 0000:e2:00.0 (8086:1593)`,
      `shares group ${unsafe.iommuGroup} with network controller 0000:e2:00.1 (8086:1593)`,
    ]);
    expect(i.gpus.map((g) => g.numaNode)).toEqual([0, 0, 1, 1]);
  });

  it("cpu-only: no GPUs (its Matrox VGA is not one), IOMMU on", () => {
    const i = inv("cpu-only");
    expect(i.gpus).toEqual([]);
    expect(i.iommuEnabled).toBe(true);
    expect(i.devices.find((d) => d.classCode === "0300")).toMatchObject({ vendorId: "102b" });
  });

  it("iommu-off: the P100 is no-iommu and there are no groups", () => {
    const i = inv("iommu-off");
    expect(i.iommuEnabled).toBe(false);
    expect(i.iommuGroups).toEqual([]);
    expect(i.gpus).toMatchObject([{ address: "0000:06:00.0", model: "Tesla P100-PCIE-16GB", passthrough: "no-iommu", driver: "nvidia" }]);
  });
});
