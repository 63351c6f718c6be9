import { existsSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { realFixture } from "@/test/fixtures";
import { isAppError } from "@/server/errors";
import { buildInventory } from "@/server/domain/topology/inventory";
import { listSimHosts } from "../../sim/hosts";
import { FakePciBus } from "./fake-pci-bus";
import { buildFakeSysfs, type FakeHostSpec, type FakeSysfs } from "./fake-sysfs";
import { CONTRACT_HOST, runPciBusContract } from "./pci-bus.contract";
import { readPciSnapshot } from "./pci-bus";
import { parseResourceFile, SysfsPciBus } from "./sysfs-pci-bus";
import { unpackCapture, type Unpacked } from "./test-helpers";

// Writing sysfs trees is file-system bound; on a shared, busy machine it can take seconds.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

// Trees are slow to write on a shared 2-core machine, so each host definition is built once per file.
const built = new Map<FakeHostSpec, FakeSysfs>();
function treeFor(spec: FakeHostSpec): FakeSysfs {
  let tree = built.get(spec);
  if (!tree) built.set(spec, (tree = buildFakeSysfs(spec)));
  return tree;
}
afterAll(() => {
  for (const tree of built.values()) tree.cleanup();
});

runPciBusContract("SysfsPciBus on a fake sysfs tree", async (spec) => ({ bus: new SysfsPciBus({ root: treeFor(spec).root }) }));

describe("SysfsPciBus agrees with FakePciBus on every simulated host", () => {
  for (const spec of [CONTRACT_HOST, ...listSimHosts()]) {
    it(spec.hostname, async () => {
      const fromTree = await readPciSnapshot(new SysfsPciBus({ root: treeFor(spec).root }));
      const fromMemory = await readPciSnapshot(new FakePciBus(spec));
      expect(fromTree).toEqual(fromMemory);
    });
  }
});

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isAppError(err)) throw new Error(`expected an AppError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe("SysfsPciBus on damaged sysfs contents", () => {
  let tree: FakeSysfs;
  const fresh = () => (tree = buildFakeSysfs(CONTRACT_HOST));
  const devDir = (address: string) => path.join(tree.root, "bus/pci/devices", address);
  const read = async (address: string) => (await new SysfsPciBus({ root: tree.root }).listDevices()).find((d) => d.address === address)!;
  afterEach(() => tree?.cleanup());

  it("garbage in a class file gives a null class and a problem naming the file and value", async () => {
    fresh();
    writeFileSync(path.join(devDir("0000:03:00.0"), "class"), "banana\n");
    const gpu = await read("0000:03:00.0");
    expect(gpu.classCode).toBeNull();
    expect(gpu.progIf).toBeNull();
    expect(gpu.vendorId).toBe("10de");
    expect(gpu.problems).toEqual(['class holds "banana", not a 24-bit hex class code like 0x030200']);
    // The rest of the host is unaffected, and the inventory carries the warning instead of failing.
    const inv = buildInventory(await readPciSnapshot(new SysfsPciBus({ root: tree.root })));
    expect(inv.gpus).toEqual([]);
    expect(inv.devices).toHaveLength(CONTRACT_HOST.devices.length);
    expect(inv.warnings).toEqual(['0000:03:00.0: class holds "banana", not a 24-bit hex class code like 0x030200']);
  });

  it("malformed or missing ID files give null IDs with problems", async () => {
    fresh();
    writeFileSync(path.join(devDir("0000:03:00.0"), "vendor"), "0x10de0\n");
    unlinkSync(path.join(devDir("0000:03:00.0"), "device"));
    writeFileSync(path.join(devDir("0000:03:00.0"), "subsystem_vendor"), "\n");
    const gpu = await read("0000:03:00.0");
    expect(gpu).toMatchObject({ vendorId: null, deviceId: null, subsystemVendorId: null, subsystemDeviceId: "16c1", classCode: "0302" });
    expect(gpu.problems).toEqual([
      "device file is missing",
      'vendor holds "0x10de0", not a 16-bit hex ID like 0x10de',
      'subsystem_vendor holds "", not a 16-bit hex ID like 0x10de',
    ]);
  });

  it("a dangling bus/pci/devices link yields a device with nothing but its address and a problem", async () => {
    fresh();
    const link = devDir("0000:0a:00.0");
    symlinkSync("../../../devices/pci0000:00/0000:0a:00.0", link);
    const ghost = await read("0000:0a:00.0");
    expect(ghost).toMatchObject({ vendorId: null, classCode: null, driver: null, parent: null, iommuGroup: null });
    expect(ghost.problems).toEqual(["bus/pci/devices/0000:0a:00.0 is a dangling link (to ../../../devices/pci0000:00/0000:0a:00.0); nothing about the device can be read"]);
    expect(await new SysfsPciBus({ root: tree.root }).getDevice("0000:0a:00.0")).toEqual(ghost);
  });

  it("a dangling iommu_group or driver link still names the group or driver (the name is in the link)", async () => {
    fresh();
    rmSync(path.join(tree.root, "kernel/iommu_groups/5"), { recursive: true });
    rmSync(path.join(tree.root, "bus/pci/drivers/vfio-pci"), { recursive: true });
    const gpu = await read("0000:03:00.0");
    expect(gpu).toMatchObject({ iommuGroup: 5, driver: "vfio-pci", problems: [] });
  });

  it("bad numa_node, revision, resource lines and links become problems; the good parts are kept", async () => {
    fresh();
    const dir = devDir("0000:03:00.0");
    writeFileSync(path.join(dir, "numa_node"), "zero\n");
    writeFileSync(path.join(dir, "revision"), "a1\n");
    const resource = path.join(dir, "resource");
    writeFileSync(resource, "0x214042000000 0x214042ffffff 0x14220c\nnot a line\n0x1000 0x0fff 0x200\n");
    unlinkSync(path.join(dir, "iommu_group"));
    symlinkSync("../../../kernel/iommu_groups/five", path.join(dir, "iommu_group"));
    const gpu = await read("0000:03:00.0");
    expect(gpu.numaNode).toBeNull();
    expect(gpu.revision).toBeNull();
    expect(gpu.iommuGroup).toBeNull();
    expect(gpu.bars).toEqual([{ index: 0, kind: "mem64", prefetchable: true, start: "0x214042000000", sizeBytes: 16 * 2 ** 20 }]);
    expect(gpu.problems).toEqual([
      'revision holds "a1", not an 8-bit hex number like 0xa1',
      'numa_node holds "zero", not a node number',
      'resource line 2 is "not a line", not three hex numbers',
      "resource line 3 ends (0x0fff) before it starts (0x1000)",
      'iommu_group points to "five", not a numbered group',
    ]);
  });

  it("an attribute that is a directory, or a driver that is a plain file, is reported, not thrown", async () => {
    fresh();
    const dir = devDir("0000:04:00.0");
    unlinkSync(path.join(dir, "class"));
    mkdirSync(path.join(dir, "class"));
    unlinkSync(path.join(dir, "driver"));
    writeFileSync(path.join(dir, "driver"), "mlx5_core\n");
    const nic = await read("0000:04:00.0");
    expect(nic).toMatchObject({ classCode: null, driver: null, vendorId: "15b3" });
    expect(nic.problems).toEqual(["class cannot be read (it is a directory)", "driver is not a symlink"]);
  });

  it("ignores entries of bus/pci/devices that are not PCI addresses, and non-numeric group directories", async () => {
    fresh();
    writeFileSync(path.join(tree.root, "bus/pci/devices/README"), "");
    mkdirSync(path.join(tree.root, "kernel/iommu_groups/stale"));
    const bus = new SysfsPciBus({ root: tree.root });
    expect(await bus.listDevices()).toHaveLength(CONTRACT_HOST.devices.length);
    expect((await bus.listIommuGroups()).map((g) => g.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("throws SYSFS_INVALID when the root has no PCI bus, and when group or unit lists are not directories", async () => {
    fresh();
    const missing = new SysfsPciBus({ root: path.join(tree.root, "nowhere") });
    expect(await rejection(missing.listDevices())).toEqual({
      code: "SYSFS_INVALID",
      message: `${path.join(tree.root, "nowhere", "bus/pci/devices")} does not exist: ${path.join(tree.root, "nowhere")} is not a sysfs root with a PCI bus`,
    });
    expect((await rejection(missing.getDevice("0000:03:00.0"))).code).toBe("SYSFS_INVALID");
    expect(await missing.listIommuGroups()).toEqual([]);
    expect(await missing.listIommuUnits()).toEqual([]);

    rmSync(path.join(tree.root, "kernel/iommu_groups"), { recursive: true });
    writeFileSync(path.join(tree.root, "kernel/iommu_groups"), "");
    rmSync(path.join(tree.root, "class/iommu"), { recursive: true });
    writeFileSync(path.join(tree.root, "class/iommu"), "");
    rmSync(path.join(tree.root, "bus/pci/devices"), { recursive: true });
    writeFileSync(path.join(tree.root, "bus/pci/devices"), "");
    const bus = new SysfsPciBus({ root: tree.root });
    expect((await rejection(bus.listIommuGroups())).code).toBe("SYSFS_INVALID");
    expect((await rejection(bus.listIommuUnits())).code).toBe("SYSFS_INVALID");
    expect((await rejection(bus.listDevices())).message).toContain("is not a directory");
  });
});

describe("parseResourceFile", () => {
  it("reads the six standard BARs and skips the ROM, SR-IOV and bridge-window lines", () => {
    const problems: string[] = [];
    const text = [
      "0x00000000fb400000 0x00000000fb7fffff 0x0000000000120204",
      "0x0000000000000000 0x0000000000000000 0x0000000000000000",
      "0x0000000000001040 0x000000000000105f 0x0000000000040101",
      "0x0000000000000000 0x0000000000000000 0x0000000000000000",
      "0x0000000000000000 0x0000000000000000 0x0000000000000000",
      "0x0000000000000000 0x0000000000000000 0x0000000000000000",
      "0x00000000fb000000 0x00000000fb01ffff 0x0000000000027200",
      "0x0000218002000000 0x00002180020fffff 0x000000000014220c",
    ].join("\n");
    expect(parseResourceFile(text, problems)).toEqual([
      { index: 0, kind: "mem64", prefetchable: false, start: "0xfb400000", sizeBytes: 4 * 2 ** 20 },
      { index: 2, kind: "io", prefetchable: false, start: "0x1040", sizeBytes: 32 },
    ]);
    expect(problems).toEqual([]);
  });
});

describe("SysfsPciBus on real sysfs captures", () => {
  const unpacked: Unpacked[] = [];
  const unpack = (...parts: string[]) => {
    const u = unpackCapture(realFixture("sysfs-pci", ...parts));
    unpacked.push(u);
    return u.dir;
  };
  afterAll(() => unpacked.forEach((u) => u.cleanup()));

  it("ghw snapshot of a KVM guest with a Tesla P100 and no IOMMU", async () => {
    const root = path.join(unpack("ghw-snapshots", "linux-amd64-accel-nvidia.tar.gz"), "sys");
    const snapshot = await readPciSnapshot(new SysfsPciBus({ root }));
    expect(snapshot.devices).toHaveLength(29);
    const p100 = snapshot.devices.find((d) => d.address === "0000:06:00.0")!;
    // No subsystem files in this snapshot: the IDs come from modalias.
    expect(p100).toMatchObject({ vendorId: "10de", deviceId: "15f8", classCode: "0302", subsystemVendorId: "10de", subsystemDeviceId: "118f", driver: "nvidia", numaNode: null, parent: "0000:00:01.5", rootBus: "0000:00", problems: [] });
    const inv = buildInventory(snapshot);
    expect(inv.iommuEnabled).toBe(false);
    expect(inv.gpus).toMatchObject([{ address: "0000:06:00.0", model: "Tesla P100-PCIE-16GB", memoryBytes: 16 * 2 ** 30, passthrough: "no-iommu" }]);
    expect(inv.warnings).toEqual([]);
  });

  it("ghw snapshot of an Intel laptop whose iommu_group links dangle (kernel/ was not captured)", async () => {
    const root = path.join(unpack("ghw-snapshots", "linux-amd64-415ee03b8c4d1c4f07ae2e9d8b3d3d6d.tar.gz"), "sys");
    const bus = new SysfsPciBus({ root });
    expect(await bus.listIommuGroups()).toEqual([]);
    const inv = buildInventory(await readPciSnapshot(bus));
    expect(inv.devices).toHaveLength(23);
    expect(inv.iommuEnabled).toBe(true);
    expect(inv.devices.find((d) => d.address === "0000:00:0a.0")!.iommuGroup).toBe(7);
    expect(inv.iommuGroups.length).toBeGreaterThan(10);
    expect(inv.gpus).toEqual([]); // the Intel iGPU is not an NVIDIA GPU
    expect(inv.warnings).toEqual([]);
  });

  it("every ghw snapshot reads without an error and with every device present", async () => {
    for (const name of ["linux-amd64-61797caf7c0b6bca1725ad7975ed4773", "linux-amd64-8581cf3a529e5d8b97ea876eade2f60d", "linux-amd64-accel", "linux-arm64-c288e0776090cd558ef793b2a4e61939"]) {
      const root = path.join(unpack("ghw-snapshots", `${name}.tar.gz`), "sys");
      const devices = await new SysfsPciBus({ root }).listDevices();
      expect(devices.length, name).toBeGreaterThan(0);
      expect(devices.filter((d) => d.vendorId === null).map((d) => d.address), name).toEqual([]);
    }
  });

  it("hwloc's sysfs tree of a two-socket Xeon: BARs from resource files, NUMA from numa_node", async () => {
    const root = path.join(unpack("hwloc", "40intel64-2g2n4c+pcilocality.tar.bz2"), "40intel64-2g2n4c+pci", "sys");
    const devices = await new SysfsPciBus({ root }).listDevices();
    expect(devices).toHaveLength(37);
    expect(devices.find((d) => d.address === "0000:43:00.0")).toMatchObject({
      vendorId: "1077",
      deviceId: "7322",
      classCode: "0c06",
      driver: "ib_qib",
      numaNode: 2,
      parent: "0000:40:03.0",
      bars: [{ index: 0, kind: "mem64", prefetchable: false, start: "0xfb400000", sizeBytes: 4 * 2 ** 20 }],
    });
    expect(devices.every((d) => d.problems.length === 0)).toBe(true);
  });

  it("hwloc's POWER9 capture, where bus/pci/devices holds bare directories with only a class file", async () => {
    const root = path.join(unpack("hwloc", "nvidiagpunumanodes.tar.bz2"), "nvidiagpunumanodes", "sys");
    const inv = buildInventory(await readPciSnapshot(new SysfsPciBus({ root })));
    expect(inv.devices).toHaveLength(6);
    expect(inv.devices[0]).toMatchObject({ address: "0004:05:00.0", vendorId: null, classCode: "0300", parent: null });
    expect(inv.gpus).toEqual([]); // without a vendor ID nothing can be called an NVIDIA GPU
    expect(inv.warnings).toContain("0004:05:00.0: vendor file is missing");
  });

  it("hwloc's capture with a 32-bit PCI domain (VMD): 5-digit domains and links with a trailing slash", async () => {
    const root = path.join(unpack("hwloc", "2pa-pcidomain32bits.tar.bz2"), "2pa-pcidomain32bits", "sys");
    const devices = await new SysfsPciBus({ root }).listDevices();
    expect(devices.map((d) => d.address).slice(-2)).toEqual(["10000:00:00.0", "10000:00:04.0"]);
    expect(devices.at(-1)).toMatchObject({ rootBus: "10000:00", vendorId: "1af4", problems: [] });
  });

  it.skipIf(!existsSync("/sys/bus/pci/devices"))("this machine's own /sys", async () => {
    const bus = new SysfsPciBus();
    const inv = buildInventory(await readPciSnapshot(bus));
    expect(inv.devices.length).toBeGreaterThan(0);
    for (const d of inv.devices) {
      expect(d.address).toMatch(/^[0-9a-f]{4,8}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/);
      expect(d.vendorId).toMatch(/^[0-9a-f]{4}$/);
      expect(d.classCode).toMatch(/^[0-9a-f]{4}$/);
    }
    const first = inv.devices[0]!.address;
    expect((await bus.getDevice(first)).address).toBe(first);
  });
});
