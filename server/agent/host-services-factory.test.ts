import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseAgentConfig } from "./config/agent-config";
import { buildFakeSysfs } from "./drivers/pci/fake-sysfs";
import { readPciSnapshot } from "./drivers/pci/pci-bus";
import { SysfsPciBus } from "./drivers/pci/sysfs-pci-bus";
import { HostPreflight } from "./drivers/preflight/host-preflight";
import { SimulatedPreflight } from "./drivers/preflight/simulated-preflight";
import { SysfsVfioBinder } from "./drivers/vfio/sysfs-vfio-binder";
import { buildInventory } from "../domain/topology/inventory";
import { hostServices, stopFakeKernels } from "./host-services-factory";
import { getSimHost, PCIE_UNSAFE_GPU } from "./sim/hosts";

function config(stateDir: string, sysfsRoot: string) {
  return parseAgentConfig(
    ["[agent]", 'id = "t"', 'backend = "kata"', 'controller-address = "127.0.0.1:1"', 'join-token = "x"', `state-dir = "${stateDir}"`, `sysfs-root = "${sysfsRoot}"`, "", "[kata]", "confidential-guest = false", ""].join("\n"),
  );
}

describe("hostServices", () => {
  let dir = "";
  afterEach(() => {
    stopFakeKernels();
    rmSync(dir, { recursive: true, force: true });
  });

  it("gives a simulated host the real binder, answered by a fake kernel, and a simulated preflight", { timeout: 30_000 }, async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "host-services-"));
    const root = path.join(dir, "sysfs");
    mkdirSync(root);
    buildFakeSysfs(getSimHost("pcie-4gpu")!, root);
    const services = await hostServices(config(dir, root), { simulated: true });
    expect(services.binder).toBeInstanceOf(SysfsVfioBinder);
    expect(services.preflight).toBeInstanceOf(SimulatedPreflight);
    // The GPU at c1:00.0 is on vfio-pci but its audio function is not: binding finishes the job.
    const inv = buildInventory(await readPciSnapshot(new SysfsPciBus({ root })));
    expect(inv.gpus.find((g) => g.address === "0000:c1:00.0")!.passthrough).toBe("needs-vfio");
    const out = await services.binder!.bind("0000:c1:00.0", inv, { allocated: () => false });
    expect(out, out.message).toMatchObject({ ok: true });
    const after = buildInventory(await readPciSnapshot(new SysfsPciBus({ root })));
    expect(after.gpus.find((g) => g.address === "0000:c1:00.0")!.passthrough).toBe("ready");
    await expect(services.binder!.bind(PCIE_UNSAFE_GPU, after, { allocated: () => false })).rejects.toMatchObject({ code: "GPU_IOMMU_GROUP_UNSAFE" });
  });

  it("gives a real host HostPreflight on its sysfs root", async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "host-services-"));
    const services = await hostServices(config(dir, "/sys"), { simulated: false });
    expect(services.preflight).toBeInstanceOf(HostPreflight);
    expect(services.binder).toBeInstanceOf(SysfsVfioBinder);
  });
});
