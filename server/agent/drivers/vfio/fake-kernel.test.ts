import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildFakeSysfs, type FakeHostSpec } from "../pci/fake-sysfs";
import { FakeKernel } from "./fake-kernel";
import { readBoundDriver, waitUntil } from "./sysfs-io";

const GPU = "0000:01:00.0";
const AUDIO = "0000:01:00.1";
const TINY: FakeHostSpec = {
  hostname: "tiny",
  description: "root port, GPU with audio function",
  source: "hand-written for the FakeKernel tests",
  iommu: { units: ["dmar0"] },
  devices: [
    { address: "0000:00:01.0", vendor: "8086", device: "352a", class: "060400", driver: "pcieport", iommuGroup: 0 },
    { address: GPU, parent: "0000:00:01.0", vendor: "10de", device: "2330", class: "030200", driver: "nvidia", iommuGroup: 1 },
    { address: AUDIO, parent: "0000:00:01.0", vendor: "10de", device: "22a3", class: "040300", iommuGroup: 1 },
  ],
};

describe("FakeKernel", () => {
  let root = "";
  let kernel: FakeKernel | null = null;
  const start = () => {
    root = mkdtempSync(path.join(os.tmpdir(), "fake-kernel-"));
    buildFakeSysfs(TINY, root);
    kernel = new FakeKernel({ root }).start();
    return kernel;
  };
  afterEach(() => {
    kernel?.stop();
    kernel = null;
    rmSync(root, { recursive: true, force: true });
  });
  const dev = (a: string, f: string) => path.join(root, "bus/pci/devices", a, f);
  const write = async (rel: string, text: string) => {
    writeFileSync(path.join(root, rel), text);
    await kernel!.settle();
  };

  it("loads vfio-pci and remembers each device's default driver in the tree", () => {
    const k = start();
    expect(existsSync(path.join(root, "bus/pci/drivers/vfio-pci/bind"))).toBe(true);
    expect(k.defaultDriver(GPU)).toBe("nvidia");
    expect(k.defaultDriver(AUDIO)).toBeNull();
    expect(JSON.parse(readFileSync(path.join(root, ".fake-kernel.json"), "utf8"))[GPU]).toBe("nvidia");
  });

  it("shows driver_override as the kernel does", async () => {
    start();
    await write(`bus/pci/devices/${GPU}/driver_override`, "vfio-pci");
    expect(readFileSync(dev(GPU, "driver_override"), "utf8")).toBe("vfio-pci\n");
    await write(`bus/pci/devices/${GPU}/driver_override`, "\n");
    expect(readFileSync(dev(GPU, "driver_override"), "utf8")).toBe("(null)\n");
  });

  it("moves the driver links on unbind and probe, and empties the control files", async () => {
    start();
    await write("bus/pci/drivers/nvidia/unbind", GPU);
    expect(existsSync(dev(GPU, "driver"))).toBe(false);
    expect(existsSync(path.join(root, "bus/pci/drivers/nvidia", GPU))).toBe(false);
    expect(readFileSync(path.join(root, "bus/pci/drivers/nvidia/unbind"), "utf8")).toBe("");
    await write(`bus/pci/devices/${GPU}/driver_override`, "vfio-pci");
    await write("bus/pci/drivers_probe", GPU);
    expect(path.basename(readlinkSync(dev(GPU, "driver")))).toBe("vfio-pci");
    expect(existsSync(path.join(root, "bus/pci/drivers/vfio-pci", GPU, "vendor"))).toBe(true);
    expect(readFileSync(path.join(root, "bus/pci/drivers_probe"), "utf8")).toBe("");
  });

  it("binds through drivers/<name>/bind only when the override or the default driver matches", async () => {
    const k = start();
    await write("bus/pci/drivers/nvidia/unbind", GPU);
    await write("bus/pci/drivers/vfio-pci/bind", GPU);
    expect(await readBoundDriver(root, GPU)).toBeNull();
    expect(k.events.at(-1)!.result).toMatch(/^ignored: vfio-pci does not match/);
    await write("bus/pci/drivers/nvidia/bind", GPU);
    expect(await readBoundDriver(root, GPU)).toBe("nvidia");
  });

  it("answers writes without settle() through inotify", async () => {
    start();
    writeFileSync(path.join(root, "bus/pci/drivers/nvidia/unbind"), GPU);
    expect(await waitUntil(async () => (await readBoundDriver(root, GPU)) === null, 2000, 5)).toBe(true);
  });

  it("injects faults: refused unbind, hung writes, failed probe", async () => {
    const k = start();
    k.refuseUnbind(GPU);
    await write("bus/pci/drivers/nvidia/unbind", GPU);
    expect(await readBoundDriver(root, GPU)).toBe("nvidia");
    expect(k.events.at(-1)!.result).toMatch(/^refused/);

    k.clearFaults();
    k.hangOn(GPU);
    await write("bus/pci/drivers/nvidia/unbind", GPU);
    expect(await readBoundDriver(root, GPU)).toBe("nvidia");
    expect(readFileSync(path.join(root, "bus/pci/drivers/nvidia/unbind"), "utf8")).toBe(GPU); // never answered
    k.clearFaults(); // the driver lets go: the pending write completes
    await k.settle();
    expect(await readBoundDriver(root, GPU)).toBeNull();

    k.failProbe(GPU);
    await write("bus/pci/drivers_probe", GPU);
    expect(await readBoundDriver(root, GPU)).toBeNull();
    expect(k.events.at(-1)!.result).toMatch(/probe of 0000:01:00\.0 by nvidia failed/);
  });

  it("keeps the default drivers across a restart, even after a device moved", async () => {
    const k = start();
    await write("bus/pci/drivers/nvidia/unbind", GPU);
    await write(`bus/pci/devices/${GPU}/driver_override`, "vfio-pci");
    await write("bus/pci/drivers_probe", GPU);
    k.stop();
    kernel = new FakeKernel({ root }).start();
    expect(kernel.defaultDriver(GPU)).toBe("nvidia");
  });
});
