// Discovery on real topologies nobody here has: each capture becomes a host definition, the definition
// a sysfs tree, and the real SysfsPciBus reads it. Also checks the simulated hosts against the
// captures they were transcribed from.
import { readFileSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { realFixture } from "@/test/fixtures";
import { isAppError } from "@/server/errors";
import { buildInventory, type HostInventory } from "@/server/domain/topology/inventory";
import { hgxH100 } from "../../sim/hosts/hgx-h100";
import { pcie4Gpu } from "../../sim/hosts/pcie-4gpu";
import { hostFromHwlocXml, hostFromIommuListing, hostFromLspciNn, parseLspciTree, parseLspciVerbose } from "./capture-import";
import { buildFakeSysfs, parseSize, type FakeHostSpec } from "./fake-sysfs";
import { readPciSnapshot } from "./pci-bus";
import { SysfsPciBus } from "./sysfs-pci-bus";

// Writing sysfs trees is file-system bound; on a shared, busy machine it can take seconds.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

const capture = (...parts: string[]) => readFileSync(realFixture("sysfs-pci", ...parts), "utf8");

async function discover(spec: FakeHostSpec): Promise<HostInventory> {
  const tree = buildFakeSysfs(spec);
  try {
    return buildInventory(await readPciSnapshot(new SysfsPciBus({ root: tree.root })));
  } finally {
    tree.cleanup();
  }
}

describe("hwloc XML captures", () => {
  it("DGX-2: 16 V100 SXM3 on two NUMA nodes, NVSwitches under the same switches as half the GPUs", async () => {
    const spec = hostFromHwlocXml(capture("hwloc", "nvidiaDGX2.xml"), { hostname: "dgx2", iommu: "acs" });
    const inv = await discover(spec);
    expect(inv.gpus).toHaveLength(16);
    expect(new Set(inv.gpus.map((g) => g.model))).toEqual(new Set(["Tesla V100-SXM3-32GB"]));
    expect(inv.gpus.filter((g) => g.numaNode === 0)).toHaveLength(8);
    expect(inv.gpus.filter((g) => g.numaNode === 1)).toHaveLength(8);
    // hwloc lists 12 NVSwitch objects; one (0000:66:00.0) was unreadable (class 0000, vendor 0000).
    expect(inv.nvswitches).toHaveLength(11);
    expect(inv.devices.find((d) => d.address === "0000:66:00.0")).toMatchObject({ vendorId: "0000", classCode: "0000" });
    const gpu57 = inv.gpus.find((g) => g.address === "0000:57:00.0")!;
    expect(gpu57.nvswitches.map((n) => [n.address, n.link])).toEqual([
      ["0000:61:00.0", "same-switch"],
      ["0000:62:00.0", "same-switch"],
      ["0000:63:00.0", "same-switch"],
      ["0000:65:00.0", "same-switch"],
      ["0000:67:00.0", "same-switch"],
    ]);
    expect(gpu57.rootPort).toBe("0000:4e:00.0");
    expect(gpu57.pcieSwitch).toBe("0000:55:00.0");
    expect(inv.gpus.find((g) => g.address === "0000:34:00.0")!.nvswitches).toEqual([]);
    // Groups are safe (one function each) but nothing is bound to vfio-pci in a topology export.
    expect(new Set(inv.gpus.map((g) => g.passthrough))).toEqual(new Set(["needs-vfio"]));
  });

  it("DGX-2 with the IOMMU off: every GPU is no-iommu", async () => {
    const inv = await discover(hostFromHwlocXml(capture("hwloc", "nvidiaDGX2.xml"), { hostname: "dgx2-off" }));
    expect(inv.iommuEnabled).toBe(false);
    expect(inv.gpus.every((g) => g.passthrough === "no-iommu")).toBe(true);
  });

  it("POWER8 with four P100 SXM2, and a capture without PCI objects is refused", async () => {
    const inv = await discover(hostFromHwlocXml(capture("hwloc", "power8gpudistances.xml"), { hostname: "power8" }));
    expect(inv.gpus.map((g) => g.model)).toEqual(Array(4).fill("Tesla P100-SXM2-16GB"));
    let err: unknown;
    try {
      hostFromHwlocXml("<topology><object type=\"Machine\"/></topology>", { hostname: "x" });
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe("BAD_INPUT");
  });
});

describe("IOMMU group listings of real boards", () => {
  it("MSI MAG B550M Mortar: the GT 710 shares a chipset group with a Realtek NIC, USB and SATA", async () => {
    const inv = await discover(hostFromIommuListing(capture("iommu-group-listings", "MSI-MAG-B550M-Mortar.iommu-groups.txt"), { hostname: "b550m" }));
    const gt710 = inv.gpus.find((g) => g.address === "0000:04:00.0")!;
    expect(gt710).toMatchObject({ passthrough: "unsafe-group", iommuGroup: 13 });
    expect(gt710.reasons).toEqual([
      "shares group 13 with serial bus controller 0000:02:00.0 (1022:43ee)",
      "shares group 13 with mass storage controller 0000:02:00.1 (1022:43eb)",
      "shares group 13 with network controller 0000:2a:00.0 (10ec:8125)",
    ]);
    // Turing's USB-C controller functions are in the RTX 2070 SUPER's group: VFIO would hand them over too.
    expect(inv.gpus.find((g) => g.address === "0000:2b:00.0")!.reasons).toEqual([
      "shares group 14 with serial bus controller 0000:2b:00.2 (10de:1ad8)",
      "shares group 14 with serial bus controller 0000:2b:00.3 (10de:1ad9)",
    ]);
  });

  it("ASRock Z170: the GTX 960 shares its group only with its root port and audio function (safe)", async () => {
    const inv = await discover(hostFromIommuListing(capture("iommu-group-listings", "ASRock-Mini-ITX-FATAL1TY-Z170-Gaming-ITX-AC.iommu-groups.txt"), { hostname: "z170" }));
    expect(inv.iommuGroups.find((g) => g.id === 1)).toEqual({ id: 1, devices: ["0000:00:01.0", "0000:01:00.0", "0000:01:00.1"], verdict: "safe", reasons: [] });
    // Safe, but a listing does not say which drivers are bound.
    expect(inv.gpus.find((g) => g.address === "0000:01:00.0")!.passthrough).toBe("needs-vfio");
  });

  it("every listing imports; AMD Radeon cards are display controllers but not GPUs for passthrough here", async () => {
    const nvidiaGpus: Record<string, number> = {
      "MSI-B450M-Mortar": 0, // Radeon RX 580 and the APU's Vega only
      "MSI-B450M-Mortar-Max": 1,
      "MSI-MAG-B550M-Mortar": 2,
      "ASRock-Mini-ITX-FATAL1TY-Z170-Gaming-ITX-AC": 1,
    };
    for (const [board, count] of Object.entries(nvidiaGpus)) {
      const inv = await discover(hostFromIommuListing(capture("iommu-group-listings", `${board}.iommu-groups.txt`), { hostname: board.toLowerCase() }));
      expect(inv.iommuGroups.length, board).toBeGreaterThan(5);
      expect(inv.gpus.length, board).toBe(count);
      expect(inv.warnings, board).toEqual([]);
    }
  });
});

describe("lspci captures", () => {
  it("lspci -nn of an 8× A100 SXM4 80GB VM: GPUs, NVSwitches and ConnectX VFs", async () => {
    const inv = await discover(hostFromLspciNn(capture("lspci-gpud-testdata", "lspci.nn.a100"), { hostname: "a100", iommu: "acs" }));
    expect(inv.gpus.map((g) => g.model)).toEqual(Array(8).fill("A100-SXM4-80GB"));
    expect(inv.gpus[0]!.memoryBytes).toBe(81920 * 2 ** 20);
    expect(inv.nvswitches).toEqual(["0005:00:00.0", "0006:00:00.0", "0007:00:00.0", "0008:00:00.0", "0009:00:00.0", "000a:00:00.0"]);
    expect(inv.devices.filter((d) => d.vendorId === "15b3")).toHaveLength(9);
  });

  it("lspci -nn of an A10 VM, and output without numeric IDs is refused with a reason", async () => {
    const inv = await discover(hostFromLspciNn(capture("lspci-gpud-testdata", "lspci.nn.a10"), { hostname: "a10" }));
    expect(inv.gpus).toMatchObject([{ address: "0000:06:00.0", model: "A10", passthrough: "no-iommu" }]);
    expect(() => hostFromLspciNn(capture("lspci-gpud-testdata", "lspci.gb200"), { hostname: "gb200" })).toThrow("no lspci -nn lines found");
  });

  it("the simulated HGX host matches the lspci -vvv capture it was transcribed from", () => {
    const captured = new Map(parseLspciVerbose(capture("lspci-gpud-testdata", "lspci-vvv")).map((d) => [d.address, d]));
    expect(captured.size).toBeGreaterThan(500);
    const transcribed = hgxH100.devices.filter((d) => !d.note?.includes("added for the simulation"));
    expect(transcribed.length).toBeGreaterThan(100);
    for (const d of transcribed) {
      const c = captured.get(d.address);
      expect(c, d.address).toBeDefined();
      expect(d.parent ?? null, d.address).toBe(c!.parent);
      expect(d.numaNode, d.address).toBe(c!.numaNode);
      if (d.device !== "2330") expect(d.driver ?? null, d.address).toBe(c!.driver);
      expect((d.bars ?? []).map((b) => [b.index, BigInt(b.start), parseSize(b.size)]), d.address).toEqual(
        c!.regions.map((r) => [r.index, BigInt(r.start), parseSize(r.size)]),
      );
    }
    // The capture's GPUs: eight H100 (device 2330) at exactly the simulated addresses.
    const gpus = [...captured.values()].filter((c) => / Device 2330 /.test(`${c.name} `)).map((c) => c.address);
    expect(gpus).toEqual(hgxH100.devices.filter((d) => d.device === "2330").map((d) => d.address));
  });

  it("the simulated 4-GPU host matches the lspci -tv capture, except the NIC that replaces a RAID card", () => {
    const captured = parseLspciTree(capture("lspci-tv", "asus-esc8000a-e12.lspci-tv.txt"));
    const spec = new Map(pcie4Gpu.devices.map((d) => [d.address, d]));
    expect(captured.length).toBeGreaterThan(190);
    for (const c of captured) {
      expect(spec.has(c.address), c.address).toBe(true);
      expect(spec.get(c.address)!.parent ?? null, c.address).toBe(c.parent);
    }
    const capturedAddresses = new Set(captured.map((c) => c.address));
    expect(pcie4Gpu.devices.filter((d) => !capturedAddresses.has(d.address)).map((d) => d.address)).toEqual(["0000:e2:00.1"]);
    expect(captured.find((c) => c.address === "0000:e2:00.0")!.name).toContain("HighPoint");
    const rtx = captured.filter((c) => c.name.includes("RTX 6000 Ada")).map((c) => c.address);
    expect(rtx).toEqual(pcie4Gpu.devices.filter((d) => d.device === "26b1").map((d) => d.address));
  });
});
