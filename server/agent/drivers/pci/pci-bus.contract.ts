// The behaviour every PciBus must show, as one suite. SysfsPciBus on a fake sysfs tree runs it
// (sysfs-pci-bus.test.ts), FakePciBus runs it (fake-pci-bus.test.ts); a new implementation adds one
// line that calls runPciBusContract with a factory building it from a host definition.
import { describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { naturalCompare } from "../../../domain/topology/pci-address";
import { listSimHosts } from "../../sim/hosts";
import type { FakeHostSpec } from "./fake-sysfs";
import { readPciSnapshot, type PciBus } from "./pci-bus";

export interface BusUnderTest {
  bus: PciBus;
  cleanup?: () => void | Promise<void>;
}

export type BusFactory = (spec: FakeHostSpec) => Promise<BusUnderTest>;

/** A small host with everything the contract checks: a switch, a GPU, SR-IOV, a second domain. */
export const CONTRACT_HOST: FakeHostSpec = {
  hostname: "contract-host",
  description: "root port → PCIe switch → GPU and ConnectX-7 with two VFs; an NVMe drive in PCI domain 0001",
  source: "hand-written for the PciBus contract",
  iommu: { units: ["dmar1", "dmar0"] },
  devices: [
    { address: "0000:00:00.0", vendor: "8086", device: "09a2", class: "060000", numaNode: 0, iommuGroup: 0 },
    { address: "0000:00:01.0", vendor: "8086", device: "352a", class: "060400", driver: "pcieport", numaNode: 0, iommuGroup: 1 },
    { address: "0000:01:00.0", parent: "0000:00:01.0", vendor: "1000", device: "c030", class: "060400", driver: "pcieport", numaNode: 0, iommuGroup: 2 },
    { address: "0000:02:00.0", parent: "0000:01:00.0", vendor: "1000", device: "c030", class: "060400", driver: "pcieport", numaNode: 0, iommuGroup: 3 },
    { address: "0000:02:01.0", parent: "0000:01:00.0", vendor: "1000", device: "c030", class: "060400", driver: "pcieport", numaNode: 0, iommuGroup: 4 },
    {
      address: "0000:03:00.0",
      parent: "0000:02:00.0",
      vendor: "10de",
      device: "2330",
      class: "030200",
      subsystemVendor: "10de",
      subsystemDevice: "16c1",
      revision: "a1",
      driver: "vfio-pci",
      numaNode: 0,
      iommuGroup: 5,
      bars: [
        { index: 0, start: "0x214042000000", size: "16M", type: "mem64-pref" },
        { index: 2, start: "0x210000000000", size: "128G", type: "mem64-pref" },
        { index: 4, start: "0x214000000000", size: "32M", type: "mem64-pref" },
      ],
    },
    {
      address: "0000:04:00.0",
      parent: "0000:02:01.0",
      vendor: "15b3",
      device: "1021",
      class: "020000",
      subsystemVendor: "15b3",
      subsystemDevice: "0041",
      driver: "mlx5_core",
      numaNode: 0,
      iommuGroup: 6,
      totalVfs: 8,
      bars: [{ index: 0, start: "0x218000000000", size: "32M", type: "mem64-pref" }],
    },
    { address: "0000:04:00.2", parent: "0000:02:01.0", vendor: "15b3", device: "101e", class: "020000", driver: "mlx5_core", numaNode: 0, iommuGroup: 7, physfn: "0000:04:00.0" },
    { address: "0000:04:00.3", parent: "0000:02:01.0", vendor: "15b3", device: "101e", class: "020000", numaNode: 0, iommuGroup: 8, physfn: "0000:04:00.0" },
    {
      address: "0001:00:00.0",
      vendor: "144d",
      device: "a808",
      class: "010802",
      driver: "nvme",
      iommuGroup: 9,
      bars: [
        { index: 0, start: "0x96000000", size: "16K", type: "mem64" },
        { index: 5, start: "0x1040", size: 32, type: "io" },
      ],
    },
  ],
};

/** The same host with the IOMMU off. */
export const CONTRACT_HOST_NO_IOMMU: FakeHostSpec = {
  ...CONTRACT_HOST,
  hostname: "contract-host-no-iommu",
  iommu: null,
  devices: CONTRACT_HOST.devices.map(({ iommuGroup: _omit, ...d }) => d),
};

async function withBus<T>(factory: BusFactory, spec: FakeHostSpec, fn: (bus: PciBus) => Promise<T>): Promise<T> {
  const { bus, cleanup } = await factory(spec);
  try {
    return await fn(bus);
  } finally {
    await cleanup?.();
  }
}

async function expectAppError(p: Promise<unknown>, code: string): Promise<void> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(err), `expected AppError ${code}, got ${String(err)}`).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

export function runPciBusContract(name: string, factory: BusFactory): void {
  describe(`PciBus contract: ${name}`, () => {
    it("lists every function once, in numeric address order across domains", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const devices = await bus.listDevices();
        expect(devices.map((d) => d.address)).toEqual(CONTRACT_HOST.devices.map((d) => d.address));
      });
    });

    it("reports a GPU behind a switch with IDs, driver, NUMA, group, bridge chain and BARs", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const gpu = (await bus.listDevices()).find((d) => d.address === "0000:03:00.0");
        expect(gpu).toEqual({
          address: "0000:03:00.0",
          vendorId: "10de",
          deviceId: "2330",
          classCode: "0302",
          progIf: "00",
          subsystemVendorId: "10de",
          subsystemDeviceId: "16c1",
          revision: "a1",
          driver: "vfio-pci",
          numaNode: 0,
          iommuGroup: 5,
          parent: "0000:02:00.0",
          ancestors: ["0000:00:01.0", "0000:01:00.0", "0000:02:00.0"],
          rootBus: "0000:00",
          bars: [
            { index: 0, kind: "mem64", prefetchable: true, start: "0x214042000000", sizeBytes: 16 * 2 ** 20 },
            { index: 2, kind: "mem64", prefetchable: true, start: "0x210000000000", sizeBytes: 128 * 2 ** 30 },
            { index: 4, kind: "mem64", prefetchable: true, start: "0x214000000000", sizeBytes: 32 * 2 ** 20 },
          ],
          physfn: null,
          virtfns: [],
          problems: [],
        });
      });
    });

    it("reports functions on a root bus with no parent, and -1 NUMA as null", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const devices = await bus.listDevices();
        const hostBridge = devices.find((d) => d.address === "0000:00:00.0")!;
        expect(hostBridge).toMatchObject({ parent: null, ancestors: [], rootBus: "0000:00", driver: null, classCode: "0600" });
        const nvme = devices.find((d) => d.address === "0001:00:00.0")!;
        expect(nvme).toMatchObject({ parent: null, rootBus: "0001:00", numaNode: null, classCode: "0108", progIf: "02" });
        expect(nvme.bars).toEqual([
          { index: 0, kind: "mem64", prefetchable: false, start: "0x96000000", sizeBytes: 16384 },
          { index: 5, kind: "io", prefetchable: false, start: "0x1040", sizeBytes: 32 },
        ]);
      });
    });

    it("links SR-IOV physical and virtual functions both ways", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const devices = await bus.listDevices();
        const pf = devices.find((d) => d.address === "0000:04:00.0")!;
        expect(pf.virtfns).toEqual(["0000:04:00.2", "0000:04:00.3"]);
        expect(pf.physfn).toBeNull();
        for (const vf of ["0000:04:00.2", "0000:04:00.3"]) {
          expect(devices.find((d) => d.address === vf)).toMatchObject({ physfn: "0000:04:00.0", virtfns: [], parent: "0000:02:01.0" });
        }
        expect(devices.find((d) => d.address === "0000:04:00.3")!.driver).toBeNull();
      });
    });

    it("getDevice accepts short and upper-case addresses and returns what listDevices returns", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const listed = (await bus.listDevices()).find((d) => d.address === "0000:03:00.0");
        expect(await bus.getDevice("03:00.0")).toEqual(listed);
        expect(await bus.getDevice("0000:04:00.0".toUpperCase())).toMatchObject({ address: "0000:04:00.0" });
      });
    });

    it("getDevice throws BAD_INPUT for a malformed address and NOT_FOUND for an absent one", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        await expectAppError(bus.getDevice("gpu0"), "BAD_INPUT");
        await expectAppError(bus.getDevice("0000:03:00.9"), "BAD_INPUT");
        await expectAppError(bus.getDevice("0000:09:00.0"), "NOT_FOUND");
      });
    });

    it("lists IOMMU groups sorted, each device in exactly the group its own link names", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const groups = await bus.listIommuGroups();
        expect(groups.map((g) => g.id)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        expect(groups.find((g) => g.id === 5)!.devices).toEqual(["0000:03:00.0"]);
        const devices = await bus.listDevices();
        for (const d of devices) {
          const holding = groups.filter((g) => g.devices.includes(d.address));
          expect(holding.map((g) => g.id)).toEqual([d.iommuGroup]);
        }
        expect(await bus.listIommuUnits()).toEqual(["dmar0", "dmar1"]);
      });
    });

    it("reports no groups, no units and null groups on a host with the IOMMU off", async () => {
      await withBus(factory, CONTRACT_HOST_NO_IOMMU, async (bus) => {
        expect(await bus.listIommuGroups()).toEqual([]);
        expect(await bus.listIommuUnits()).toEqual([]);
        const devices = await bus.listDevices();
        expect(devices).toHaveLength(CONTRACT_HOST.devices.length);
        expect(devices.every((d) => d.iommuGroup === null)).toBe(true);
      });
    });

    it("returns fresh objects: changing a result does not change the next answer", async () => {
      await withBus(factory, CONTRACT_HOST, async (bus) => {
        const first = await bus.listDevices();
        first[0]!.driver = "changed";
        first[0]!.ancestors.push("0000:ff:00.0");
        const again = await bus.listDevices();
        expect(again[0]!.driver).toBeNull();
        expect(again[0]!.ancestors).toEqual([]);
      });
    });

    for (const host of listSimHosts()) {
      it(`reads simulated host ${host.hostname} completely`, async () => {
        await withBus(factory, host, async (bus) => {
          const snapshot = await readPciSnapshot(bus);
          expect(snapshot.devices.map((d) => d.address).sort()).toEqual(host.devices.map((d) => d.address).sort());
          expect(snapshot.devices.every((d) => d.problems.length === 0)).toBe(true);
          expect(snapshot.iommuUnits).toEqual([...(host.iommu?.units ?? [])].sort(naturalCompare)); // dmar2 before dmar10
          const grouped = snapshot.iommuGroups.flatMap((g) => g.devices).sort();
          expect(grouped).toEqual(host.iommu ? host.devices.map((d) => d.address).sort() : []);
          const gpu = host.devices.find((d) => d.vendor === "10de" && d.class.startsWith("03"));
          if (gpu) expect(await bus.getDevice(gpu.address)).toEqual(snapshot.devices.find((d) => d.address === gpu.address));
        });
      });
    }
  });
}
