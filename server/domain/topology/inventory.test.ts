import { describe, expect, it } from "vitest";
import { buildInventory, summarizeInventory } from "./inventory";
import type { PciDevice, PciSnapshot } from "./types";

function dev(address: string, over: Partial<PciDevice> = {}): PciDevice {
  return {
    address,
    vendorId: "8086",
    deviceId: "0000",
    classCode: "0880",
    progIf: "00",
    subsystemVendorId: null,
    subsystemDeviceId: null,
    revision: null,
    driver: null,
    numaNode: 0,
    iommuGroup: null,
    parent: null,
    ancestors: [],
    rootBus: address.slice(0, 7),
    bars: [],
    physfn: null,
    virtfns: [],
    problems: [],
    ...over,
  };
}

const rp = dev("0000:00:01.0", { classCode: "0604", driver: "pcieport", iommuGroup: 1 });
const sw = dev("0000:01:00.0", { classCode: "0604", vendorId: "1000", parent: rp.address, ancestors: [rp.address], iommuGroup: 2 });
const down = (a: string, g: number) => dev(a, { classCode: "0604", vendorId: "1000", parent: sw.address, ancestors: [rp.address, sw.address], iommuGroup: g });
const gpu = dev("0000:03:00.0", {
  vendorId: "10de",
  deviceId: "2330",
  classCode: "0302",
  driver: "vfio-pci",
  parent: "0000:02:00.0",
  ancestors: [rp.address, sw.address, "0000:02:00.0"],
  iommuGroup: 5,
  bars: [
    { index: 0, kind: "mem64", prefetchable: true, start: "0x1000000", sizeBytes: 16 << 20 },
    { index: 2, kind: "mem64", prefetchable: true, start: "0x20000000000", sizeBytes: 128 * 2 ** 30 },
  ],
});
const nic = dev("0000:04:00.0", { vendorId: "15b3", deviceId: "1021", classCode: "0207", driver: "mlx5_core", parent: "0000:02:01.0", ancestors: [rp.address, sw.address, "0000:02:01.0"], iommuGroup: 6 });

const snapshot: PciSnapshot = {
  iommuUnits: ["dmar0"],
  iommuGroups: [
    { id: 1, devices: [rp.address] },
    { id: 2, devices: [sw.address] },
    { id: 3, devices: ["0000:02:00.0"] },
    { id: 4, devices: ["0000:02:01.0"] },
    { id: 5, devices: [gpu.address] },
    { id: 6, devices: [nic.address] },
  ],
  devices: [nic, gpu, rp, sw, down("0000:02:00.0", 3), down("0000:02:01.0", 4)],
};

describe("buildInventory", () => {
  it("reports devices sorted with the documented fields, and GPUs with model, memory, NICs and passthrough state", () => {
    const inv = buildInventory(snapshot);
    expect(inv.iommuEnabled).toBe(true);
    expect(inv.devices.map((d) => d.address)).toEqual(["0000:00:01.0", "0000:01:00.0", "0000:02:00.0", "0000:02:01.0", "0000:03:00.0", "0000:04:00.0"]);
    expect(Object.keys(inv.devices[0]!)).toEqual(expect.arrayContaining(["address", "vendorId", "deviceId", "classCode", "driver", "numaNode", "iommuGroup", "parent"]));
    expect(inv.gpus).toEqual([
      {
        address: "0000:03:00.0",
        deviceId: "2330",
        model: "H100 80GB HBM3",
        memoryBytes: 81559 * 2 ** 20,
        memorySource: "model",
        largestBarBytes: 128 * 2 ** 30,
        numaNode: 0,
        iommuGroup: 5,
        driver: "vfio-pci",
        passthrough: "ready",
        reasons: [],
        nics: [{ address: "0000:04:00.0", vendorId: "15b3", deviceId: "1021", classCode: "0207", driver: "mlx5_core", link: "same-switch" }],
        nvswitches: [],
        rootPort: "0000:00:01.0",
        pcieSwitch: "0000:01:00.0",
      },
    ]);
    expect(inv.iommuGroups.find((g) => g.id === 5)).toEqual({ id: 5, devices: ["0000:03:00.0"], verdict: "safe", reasons: [] });
    expect(inv.warnings).toEqual([]);
    expect(summarizeInventory(inv)).toBe("6 PCI functions, 1 GPU, 1 ready, 0 need vfio-pci, 0 in unsafe groups, 0 without IOMMU, IOMMU on (6 groups)");
  });

  it("falls back to the largest BAR for an NVIDIA GPU the table does not know, and says so", () => {
    const unknown = { ...gpu, deviceId: "ffff" };
    const inv = buildInventory({ ...snapshot, devices: [rp, sw, unknown] });
    expect(inv.gpus[0]).toMatchObject({ model: null, memoryBytes: 128 * 2 ** 30, memorySource: "bar" });
  });

  it("counts the IOMMU as on from device links alone (snapshots without kernel/ or class/)", () => {
    const inv = buildInventory({ iommuUnits: [], iommuGroups: [], devices: [gpu] });
    expect(inv.iommuEnabled).toBe(true);
    expect(inv.iommuGroups).toEqual([{ id: 5, devices: ["0000:03:00.0"], verdict: "safe", reasons: [] }]);
    expect(inv.gpus[0]!.passthrough).toBe("ready");
    expect(inv.warnings).toEqual([]);
  });

  it("turns device problems and contradicting group information into warnings, not failures", () => {
    const broken = dev("0000:05:00.0", { vendorId: null, classCode: null, problems: ['class holds "zz", not a 24-bit hex class code like 0x030200'], iommuGroup: 5 });
    const inv = buildInventory({ ...snapshot, devices: [...snapshot.devices, broken], iommuGroups: [...snapshot.iommuGroups, { id: 9, devices: ["0000:0f:00.0"] }] });
    expect(inv.warnings).toEqual([
      '0000:05:00.0: class holds "zz", not a 24-bit hex class code like 0x030200',
      "0000:05:00.0: its iommu_group link says group 5, but kernel/iommu_groups/5/devices does not list it",
      "kernel/iommu_groups/9 lists 0000:0f:00.0, which is not in bus/pci/devices",
    ]);
    // The unreadable device joined group 5 through its link, so the GPU's group is now unsafe.
    expect(inv.gpus[0]).toMatchObject({ passthrough: "unsafe-group" });
    expect(inv.iommuGroups.find((g) => g.id === 9)!.verdict).toBe("unsafe");
  });

  it("reports no-iommu for every GPU on a host without an IOMMU", () => {
    const off = { iommuUnits: [], iommuGroups: [], devices: [{ ...gpu, iommuGroup: null, driver: "nvidia" }] };
    const inv = buildInventory(off);
    expect(inv.iommuEnabled).toBe(false);
    expect(inv.iommuGroups).toEqual([]);
    expect(inv.gpus[0]!.passthrough).toBe("no-iommu");
    expect(summarizeInventory(inv)).toContain("IOMMU off");
  });

  it("is a pure function of the snapshot", () => {
    expect(buildInventory(snapshot)).toEqual(buildInventory(structuredClone(snapshot)));
  });
});
