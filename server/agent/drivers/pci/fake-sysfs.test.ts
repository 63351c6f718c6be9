import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { assignIommuGroups, buildFakeSysfs, parseSize, renderResourceFile, validateHostSpec, type FakeHostSpec } from "./fake-sysfs";
import { CONTRACT_HOST, CONTRACT_HOST_NO_IOMMU } from "./pci-bus.contract";

describe("buildFakeSysfs", () => {
  const tree = buildFakeSysfs(CONTRACT_HOST);
  const off = buildFakeSysfs(CONTRACT_HOST_NO_IOMMU);
  afterAll(() => {
    tree.cleanup();
    off.cleanup();
  });
  const at = (...p: string[]) => path.join(tree.root, ...p);

  it("lays devices out under their bridge chain and links them from bus/pci/devices, as Linux does", () => {
    expect(readlinkSync(at("bus/pci/devices/0000:03:00.0"))).toBe("../../../devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:00.0/0000:03:00.0");
    expect(readlinkSync(at("bus/pci/devices/0001:00:00.0"))).toBe("../../../devices/pci0001:00/0001:00:00.0");
    const dev = at("devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:00.0/0000:03:00.0");
    expect(readFileSync(path.join(dev, "vendor"), "utf8")).toBe("0x10de\n");
    expect(readFileSync(path.join(dev, "class"), "utf8")).toBe("0x030200\n");
    expect(readFileSync(path.join(dev, "numa_node"), "utf8")).toBe("0\n");
    expect(readFileSync(path.join(dev, "modalias"), "utf8")).toBe("pci:v000010DEd00002330sv000010DEsd000016C1bc03sc02i00\n");
    expect(readFileSync(path.join(dev, "driver_override"), "utf8")).toBe("(null)\n");
  });

  it("links driver, IOMMU group and SR-IOV functions both ways with relative links", () => {
    const dev = at("bus/pci/devices/0000:03:00.0");
    expect(readlinkSync(path.join(dev, "driver"))).toBe("../../../../../../bus/pci/drivers/vfio-pci");
    expect(realpathSync(path.join(at("bus/pci/drivers/vfio-pci"), "0000:03:00.0"))).toBe(realpathSync(dev));
    expect(readdirSync(at("bus/pci/drivers/vfio-pci")).sort()).toEqual(["0000:03:00.0", "bind", "new_id", "remove_id", "unbind"]);
    expect(readlinkSync(path.join(dev, "iommu_group"))).toBe("../../../../../../kernel/iommu_groups/5");
    expect(realpathSync(at("kernel/iommu_groups/5/devices/0000:03:00.0"))).toBe(realpathSync(dev));
    expect(readFileSync(at("kernel/iommu_groups/5/type"), "utf8")).toBe("identity\n");
    expect(realpathSync(path.join(at("bus/pci/devices/0000:04:00.2"), "physfn"))).toBe(realpathSync(at("bus/pci/devices/0000:04:00.0")));
    expect(readlinkSync(path.join(at("bus/pci/devices/0000:04:00.0"), "virtfn1"))).toBe("../0000:04:00.3");
    expect(readFileSync(path.join(at("bus/pci/devices/0000:04:00.0"), "sriov_totalvfs"), "utf8")).toBe("8\n");
    expect(readFileSync(path.join(at("bus/pci/devices/0000:04:00.0"), "sriov_numvfs"), "utf8")).toBe("2\n");
    expect(readdirSync(at("class/iommu")).sort()).toEqual(["dmar0", "dmar1"]);
    expect(lstatSync(at("class/iommu/dmar0")).isSymbolicLink()).toBe(true);
    expect(existsSync(path.join(at("bus/pci/devices/0000:00:00.0"), "driver"))).toBe(false);
  });

  it("writes 13 resource lines for endpoints and 17 for bridges", () => {
    expect(readFileSync(at("bus/pci/devices/0000:03:00.0/resource"), "utf8").trimEnd().split("\n")).toHaveLength(13);
    expect(readFileSync(at("bus/pci/devices/0000:02:00.0/resource"), "utf8").trimEnd().split("\n")).toHaveLength(17);
    expect(renderResourceFile([{ index: 2, start: "0x210000000000", size: "128G", type: "mem64-pref" }], false).split("\n")[2]).toBe(
      "0x0000210000000000 0x0000211fffffffff 0x000000000014220c",
    );
  });

  it("writes no kernel/iommu_groups, class/iommu or iommu_group links when the IOMMU is off", () => {
    expect(existsSync(path.join(off.root, "kernel/iommu_groups"))).toBe(false);
    expect(existsSync(path.join(off.root, "class/iommu"))).toBe(false);
    expect(existsSync(path.join(off.root, "bus/pci/devices/0000:03:00.0/iommu_group"))).toBe(false);
  });
});

describe("host definition checks", () => {
  const base: FakeHostSpec = { hostname: "h", description: "", source: "", iommu: { units: ["dmar0"] }, devices: [] };
  const expectInvalid = (spec: FakeHostSpec, message: string) => expect(() => validateHostSpec(spec)).toThrow(message);

  it("refuses what Linux could never show", () => {
    const fn = { vendor: "8086", device: "0001", class: "020000", iommuGroup: 1 };
    expectInvalid({ ...base, devices: [{ ...fn, address: "0:1:2.3" }] }, "is not a canonical PCI address");
    expectInvalid({ ...base, devices: [{ ...fn, address: "0000:01:00.0" }, { ...fn, address: "0000:01:00.0" }] }, "0000:01:00.0 is defined twice");
    expectInvalid({ ...base, devices: [{ ...fn, address: "0000:01:00.0", parent: "0000:00:01.0" }] }, "parent 0000:00:01.0 is not defined");
    expectInvalid({ ...base, devices: [{ ...fn, address: "0000:01:00.0", vendor: "10DE" }] }, "vendor/device must be 4 lowercase hex digits");
    expectInvalid({ ...base, devices: [{ ...fn, address: "0000:01:00.0", class: "0200" }] }, "class must be 6 lowercase hex digits");
    expectInvalid({ ...base, iommu: null, devices: [{ ...fn, address: "0000:01:00.0" }] }, "has an IOMMU group but the host's IOMMU is off");
    expectInvalid({ ...base, devices: [{ address: "0000:01:00.0", vendor: "8086", device: "0001", class: "020000" }] }, "has no IOMMU group but the host's IOMMU is on");
    expectInvalid({ ...base, devices: [{ ...fn, address: "0000:01:00.1", physfn: "0000:01:00.0" }] }, "physfn 0000:01:00.0 is not defined");
    const bridge = { vendor: "8086", device: "0002", class: "060400", iommuGroup: 1 };
    expectInvalid({ ...base, devices: [{ ...bridge, address: "0000:00:01.0", parent: "0000:00:02.0" }, { ...bridge, address: "0000:00:02.0", parent: "0000:00:01.0" }] }, "its parent chain loops");
  });

  it("parses sizes with binary suffixes", () => {
    expect(parseSize("16M")).toBe(16n << 20n);
    expect(parseSize(256)).toBe(256n);
    expect(() => parseSize("16MB")).toThrow('size "16MB" is not a number');
  });

  it("numbers IOMMU groups in address order, one per shared set", () => {
    const devices = ["0000:02:00.1", "0000:00:01.0", "0000:02:00.0", "0000:03:00.0"].map((address) => ({ address }));
    const grouped = assignIommuGroups(devices, { start: 10, shared: [["0000:02:00.0", "0000:02:00.1"]] });
    expect(Object.fromEntries(grouped.map((d) => [d.address, d.iommuGroup]))).toEqual({
      "0000:00:01.0": 10,
      "0000:02:00.0": 11,
      "0000:02:00.1": 11,
      "0000:03:00.0": 12,
    });
  });
});
