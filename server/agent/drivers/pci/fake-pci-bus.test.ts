import { describe, expect, it } from "vitest";
import { isAppError } from "@/server/errors";
import { FakePciBus } from "./fake-pci-bus";
import { CONTRACT_HOST, runPciBusContract } from "./pci-bus.contract";

runPciBusContract("FakePciBus", async (spec) => ({ bus: new FakePciBus(spec) }));

describe("FakePciBus", () => {
  it("records calls and fails the next call of a method once when told to", async () => {
    const bus = new FakePciBus(CONTRACT_HOST);
    bus.failNext("listDevices", new Error("EIO"));
    await expect(bus.listDevices()).rejects.toThrow("EIO");
    expect(await bus.listDevices()).toHaveLength(CONTRACT_HOST.devices.length);
    await bus.getDevice("03:00.0");
    expect(bus.calls).toEqual(["listDevices", "listDevices", "getDevice(03:00.0)"]);
    expect(bus.source).toBe("fake:contract-host");
  });

  it("refuses an inconsistent host definition", () => {
    const bad = { ...CONTRACT_HOST, devices: [...CONTRACT_HOST.devices, { address: "0000:09:00.0", parent: "0000:03:00.0", vendor: "8086", device: "0001", class: "020000", iommuGroup: 20 }] };
    let err: unknown;
    try {
      new FakePciBus(bad);
    } catch (e) {
      err = e;
    }
    expect(isAppError(err) && err.code).toBe("BAD_INPUT");
    expect((err as Error).message).toBe("host definition contract-host: 0000:09:00.0: parent 0000:03:00.0 is not a PCI bridge (class 030200)");
  });
});
