import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it, vi } from "vitest";
import { repoRoot } from "@/test/fixtures";
import { buildFakeSysfs } from "../../drivers/pci/fake-sysfs";
import { CONTRACT_HOST } from "../../drivers/pci/pci-bus.contract";
import { inventoryCommand } from "./inventory";

// Writing sysfs trees is file-system bound; on a shared, busy machine it can take seconds.
vi.setConfig({ testTimeout: 60_000, hookTimeout: 60_000 });

async function runInventory(...argv: string[]) {
  let out = "";
  let err = "";
  const code = await inventoryCommand(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("hypercell-agent inventory", () => {
  const tree = buildFakeSysfs(CONTRACT_HOST);
  const dir = mkdtempSync(path.join(os.tmpdir(), "inventory-cli-"));
  afterAll(() => {
    tree.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--json prints the documented format: lowercase IDs without 0x, 4-digit classes, nulls where unknown", async () => {
    const { code, out, err } = await runInventory("--sysfs-root", tree.root, "--json");
    expect(err).toBe("");
    expect(code).toBe(0);
    const inv = JSON.parse(out);
    expect(Object.keys(inv)).toEqual(["formatVersion", "iommuEnabled", "iommuUnits", "devices", "gpus", "iommuGroups", "nvswitches", "warnings"]);
    expect(inv.iommuEnabled).toBe(true);
    expect(inv.devices[0]).toEqual({
      address: "0000:00:00.0",
      vendorId: "8086",
      deviceId: "09a2",
      classCode: "0600",
      driver: null,
      numaNode: 0,
      iommuGroup: 0,
      parent: null,
      subsystemVendorId: "0000",
      subsystemDeviceId: "0000",
      physfn: null,
    });
    expect(inv.devices.find((d: { address: string }) => d.address === "0001:00:00.0").numaNode).toBeNull();
    expect(inv.gpus).toEqual([
      expect.objectContaining({
        address: "0000:03:00.0",
        model: "H100 80GB HBM3",
        memoryBytes: 81559 * 2 ** 20,
        numaNode: 0,
        iommuGroup: 5,
        driver: "vfio-pci",
        passthrough: "ready",
        reasons: [],
        nics: [expect.objectContaining({ address: "0000:04:00.0", link: "same-switch" }), expect.objectContaining({ address: "0000:04:00.2" }), expect.objectContaining({ address: "0000:04:00.3" })],
      }),
    ]);
    expect(inv.iommuGroups[5]).toEqual({ id: 5, devices: ["0000:03:00.0"], verdict: "safe", reasons: [] });
    for (const d of inv.devices) {
      expect(d.vendorId).toMatch(/^[0-9a-f]{4}$/);
      expect(d.classCode).toMatch(/^[0-9a-f]{4}$/);
    }
  });

  it("prints a readable report by default, with reasons under each GPU", async () => {
    // The shape of the example: a NIC function in the GPU's IOMMU group.
    const shared = buildFakeSysfs({
      hostname: "shared-group",
      description: "",
      source: "hand-written",
      iommu: { units: ["ivhd0"] },
      devices: [
        { address: "0000:e0:01.1", vendor: "1022", device: "14ab", class: "060400", driver: "pcieport", numaNode: 1, iommuGroup: 33 },
        { address: "0000:e1:00.0", parent: "0000:e0:01.1", vendor: "10de", device: "26b1", class: "030000", driver: "nvidia", numaNode: 1, iommuGroup: 33 },
        { address: "0000:e1:00.1", parent: "0000:e0:01.1", vendor: "10de", device: "22ba", class: "040300", driver: "snd_hda_intel", numaNode: 1, iommuGroup: 33 },
        { address: "0000:e1:00.2", parent: "0000:e0:01.1", vendor: "8086", device: "1593", class: "020000", driver: "ice", numaNode: 1, iommuGroup: 33 },
      ],
    });
    try {
      const { code, out } = await runInventory("--sysfs-root", shared.root);
      expect(code).toBe(0);
      expect(out).toContain(`source: ${shared.root}`);
      expect(out).toContain("4 PCI functions, 1 GPU, 0 ready, 0 need vfio-pci, 1 in unsafe groups, 0 without IOMMU, IOMMU on (1 group)");
      expect(out).toMatch(/0000:e1:00\.0 +RTX 6000 Ada Generation +48\.0 GiB +1 +33 +nvidia +unsafe-group/);
      expect(out).toContain("    - shares group 33 with network controller 0000:e1:00.2 (8086:1593)");
      expect(out).toMatch(/33 +unsafe +0000:e0:01\.1 0000:e1:00\.0 0000:e1:00\.1 0000:e1:00\.2/);
      expect(out).toMatch(/0000:e1:00\.2 +8086:1593 +0200 +ice +1 +33 +0000:e0:01\.1/);
    } finally {
      shared.cleanup();
    }
  });

  it("--sim builds each simulated host and removes the tree afterwards", async () => {
    const before = new Set((await import("node:fs")).readdirSync(os.tmpdir()));
    const { code, out } = await runInventory("--sim=iommu-off", "--json");
    expect(code).toBe(0);
    expect(JSON.parse(out).gpus[0]).toMatchObject({ passthrough: "no-iommu", model: "Tesla P100-PCIE-16GB" });
    const leftovers = (await import("node:fs")).readdirSync(os.tmpdir()).filter((f) => !before.has(f) && f.startsWith("fake-sysfs-iommu-off"));
    expect(leftovers).toEqual([]);
  });

  it("--config reads the sysfs root from an agent configuration", async () => {
    const file = path.join(dir, "agent.toml");
    writeFileSync(file, `[agent]\ncontroller-address = "127.0.0.1:6100"\nsysfs-root = "${tree.root}"\n`);
    const { code, out } = await runInventory("--config", file, "--json");
    expect(code).toBe(0);
    expect(JSON.parse(out).gpus).toHaveLength(1);
  });

  it("explains usage errors (exit 2) and discovery errors (exit 1)", async () => {
    expect(await runInventory("--sim", "nope")).toMatchObject({ code: 2, err: expect.stringContaining('no simulated host "nope"; known: hgx-h100, pcie-4gpu, cpu-only, iommu-off') });
    expect(await runInventory("--frobnicate")).toMatchObject({ code: 2, err: expect.stringContaining('unknown argument "--frobnicate"') });
    expect(await runInventory("--sim", "cpu-only", "--sysfs-root", "/sys")).toMatchObject({ code: 2, err: expect.stringContaining("give only one of") });
    expect(await runInventory("--sysfs-root")).toMatchObject({ code: 2, err: expect.stringContaining("--sysfs-root needs a value") });
    const missing = await runInventory("--sysfs-root", path.join(dir, "nowhere"));
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("is not a sysfs root with a PCI bus");
    expect((await runInventory("--help")).out).toContain("usage: hypercell-agent inventory");
  });

  it("runs through the agent CLI dispatcher as `npm run agent -- inventory` does", async () => {
    const tsx = path.join(repoRoot, "node_modules", "tsx", "dist", "cli.mjs");
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, "server/agent/cli/main.ts", "inventory", "--sysfs-root", tree.root, "--json"], { cwd: repoRoot });
    expect(JSON.parse(stdout).devices).toHaveLength(CONTRACT_HOST.devices.length);
  });
});
