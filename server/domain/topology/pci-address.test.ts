import { describe, expect, it } from "vitest";
import { comparePciAddresses, isPciAddress, naturalCompare, normalizePciAddress, parsePciAddress, pciSlot } from "./pci-address";

describe("PCI addresses", () => {
  it("accepts canonical sysfs addresses, including 5-digit VMD domains", () => {
    expect(isPciAddress("0000:18:00.0")).toBe(true);
    expect(isPciAddress("10000:00:04.0")).toBe(true);
    expect(isPciAddress("0000:18:00.8")).toBe(false);
    expect(isPciAddress("0000:18:00")).toBe(false);
    expect(isPciAddress("0000:1A:00.0")).toBe(false);
  });

  it("normalizes what people type", () => {
    expect(normalizePciAddress("18:00.0")).toBe("0000:18:00.0");
    expect(normalizePciAddress(" 0000:1A:00.1 ")).toBe("0000:1a:00.1");
    expect(normalizePciAddress("gpu0")).toBeNull();
  });

  it("parses and orders numerically, not by text", () => {
    expect(parsePciAddress("0001:c1:1f.7")).toEqual({ domain: 1, bus: 0xc1, device: 0x1f, fn: 7 });
    const sorted = ["10000:00:00.0", "0000:c1:00.0", "0000:1a:00.0", "0000:1a:00.1", "0001:00:00.0"].sort(comparePciAddresses);
    expect(sorted).toEqual(["0000:1a:00.0", "0000:1a:00.1", "0000:c1:00.0", "0001:00:00.0", "10000:00:00.0"]);
    expect(["zz", "0000:00:00.0"].sort(comparePciAddresses)).toEqual(["0000:00:00.0", "zz"]);
  });

  it("names the slot shared by a device's functions", () => {
    expect(pciSlot("0000:e1:00.1")).toBe("0000:e1:00");
  });

  it("orders IOMMU unit names naturally", () => {
    expect(["dmar10", "dmar2", "dmar0", "ivhd1"].sort(naturalCompare)).toEqual(["dmar0", "dmar2", "dmar10", "ivhd1"]);
  });
});
