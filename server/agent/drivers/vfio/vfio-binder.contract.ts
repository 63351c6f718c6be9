// The behaviour a GpuBinder must show, as one suite, run against fake sysfs trees whose FakeKernel
// answers writes as Linux does. SysfsVfioBinder runs it (sysfs-vfio-binder.test.ts) — the same code
// that runs on a real /sys. A new binder adds one call with a factory.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { buildInventory, type HostInventory } from "../../../domain/topology/inventory";
import type { FakeHostSpec, FakePciFunction } from "../pci/fake-sysfs";
import { readPciSnapshot } from "../pci/pci-bus";
import { SysfsPciBus } from "../pci/sysfs-pci-bus";
import { getSimHost, HGX_NVIDIA_BOUND_GPU, PCIE_UNSAFE_GPU } from "../../sim/hosts";
import type { GpuBinder } from "../../host-services";
import type { FakeKernel } from "./fake-kernel";

export interface BinderUnderTest {
  /** A binder on the tree (and state directory) of this harness. */
  binder: GpuBinder;
  /** A second binder on the same tree and state directory: the agent after a restart. */
  restart(): GpuBinder;
  sysfsRoot: string;
  stateDir: string;
  kernel: FakeKernel;
  cleanup(): void | Promise<void>;
}

export type BinderFactory = (spec: FakeHostSpec) => Promise<BinderUnderTest>;

const NONE = { allocated: () => false };
const AUDIO = "0000:19:00.1";
const BRIDGE = "0000:17:01.0";

function hgx(): FakeHostSpec {
  const spec = getSimHost("hgx-h100");
  if (!spec) throw new Error("hgx-h100 simulated host is missing");
  return spec;
}

/**
 * The HGX host with an audio function beside the nvidia GPU and the switch port above it in the same
 * IOMMU group, as on cards with HD audio behind a switch without ACS: three members, one a bridge.
 */
export function hgxWithAudio(): FakeHostSpec {
  const base = hgx();
  const gpu = base.devices.find((d) => d.address === HGX_NVIDIA_BOUND_GPU)!;
  const audio: FakePciFunction = { address: AUDIO, parent: gpu.parent, vendor: "10de", device: "22a3", class: "040300", driver: "snd_hda_intel", numaNode: gpu.numaNode, iommuGroup: gpu.iommuGroup };
  return {
    ...base,
    hostname: "hgx-h100-audio",
    devices: [...base.devices.map((d) => (d.address === BRIDGE ? { ...d, iommuGroup: gpu.iommuGroup } : d)), audio],
  };
}

async function inventoryOf(root: string): Promise<HostInventory> {
  return buildInventory(await readPciSnapshot(new SysfsPciBus({ root })));
}

function driverOf(inv: HostInventory, address: string): string | null {
  return inv.devices.find((d) => d.address === address)!.driver;
}

function override(root: string, address: string): string {
  return readFileSync(path.join(root, "bus/pci/devices", address, "driver_override"), "utf8");
}

async function expectAppError(p: Promise<unknown>, code: string, text?: RegExp) {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(isAppError(err), `expected AppError ${code}, got ${String(err)}`).toBe(true);
  if (isAppError(err)) {
    expect(err.code).toBe(code);
    if (text) expect(err.message).toMatch(text);
  }
}

export function runVfioBinderContract(name: string, factory: BinderFactory): void {
  // Generous per-test limit: each test copies a 150-device tree, and CI machines are shared.
  describe(`GpuBinder contract: ${name}`, { timeout: 30_000 }, () => {
    let h: BinderUnderTest | null = null;
    const setup = async (spec: FakeHostSpec) => (h = await factory(spec));
    afterEach(async () => {
      await h?.cleanup();
      h = null;
    });

    it("binds the HGX host's nvidia GPU to vfio-pci, records nvidia first, and the inventory shows it ready", async () => {
      const t = await setup(hgx());
      const before = await inventoryOf(t.sysfsRoot);
      expect(before.gpus.find((g) => g.address === HGX_NVIDIA_BOUND_GPU)!.passthrough).toBe("needs-vfio");

      const out = await t.binder.bind(HGX_NVIDIA_BOUND_GPU, before, NONE);
      expect(out, out.message).toMatchObject({ ok: true, rolledBack: false });
      expect(out.steps).toContainEqual(expect.objectContaining({ device: HGX_NVIDIA_BOUND_GPU, fromDriver: "nvidia", toDriver: "vfio-pci", ok: true }));

      const after = await inventoryOf(t.sysfsRoot);
      const gpu = after.gpus.find((g) => g.address === HGX_NVIDIA_BOUND_GPU)!;
      expect(gpu.passthrough).toBe("ready");
      for (const a of after.iommuGroups.find((g) => g.id === gpu.iommuGroup)!.devices) expect(driverOf(after, a)).toBe("vfio-pci");
      expect(override(t.sysfsRoot, HGX_NVIDIA_BOUND_GPU)).toBe("vfio-pci\n");
      const record = JSON.parse(readFileSync(path.join(t.stateDir, "vfio-bindings.json"), "utf8"));
      expect(record.devices[HGX_NVIDIA_BOUND_GPU]).toMatchObject({ originalDriver: "nvidia", originalOverride: null, gpu: HGX_NVIDIA_BOUND_GPU });
    });

    it("unbind returns the GPU to nvidia, clears the override and drops the record", async () => {
      const t = await setup(hgx());
      expect((await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE)).ok).toBe(true);
      const out = await t.binder.unbind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE);
      expect(out, out.message).toMatchObject({ ok: true, rolledBack: false });
      const inv = await inventoryOf(t.sysfsRoot);
      expect(driverOf(inv, HGX_NVIDIA_BOUND_GPU)).toBe("nvidia");
      expect(inv.gpus.find((g) => g.address === HGX_NVIDIA_BOUND_GPU)!.passthrough).toBe("needs-vfio");
      expect(override(t.sysfsRoot, HGX_NVIDIA_BOUND_GPU)).toBe("(null)\n");
      expect(existsSync(path.join(t.stateDir, "vfio-bindings.json"))).toBe(false);
    });

    it("moves every member of a multi-function group and leaves its PCI bridge on pcieport", async () => {
      const t = await setup(hgxWithAudio());
      const out = await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE);
      expect(out, out.message).toMatchObject({ ok: true });
      let inv = await inventoryOf(t.sysfsRoot);
      expect([driverOf(inv, HGX_NVIDIA_BOUND_GPU), driverOf(inv, AUDIO), driverOf(inv, BRIDGE)]).toEqual(["vfio-pci", "vfio-pci", "pcieport"]);
      expect(inv.gpus.find((g) => g.address === HGX_NVIDIA_BOUND_GPU)!.passthrough).toBe("ready");
      expect(t.kernel.events.some((e) => e.file.endsWith(`${BRIDGE}/driver_override`) || e.written.includes(BRIDGE))).toBe(false);

      expect((await t.binder.unbind(HGX_NVIDIA_BOUND_GPU, inv, NONE)).ok).toBe(true);
      inv = await inventoryOf(t.sysfsRoot);
      expect([driverOf(inv, HGX_NVIDIA_BOUND_GPU), driverOf(inv, AUDIO), driverOf(inv, BRIDGE)]).toEqual(["nvidia", "snd_hda_intel", "pcieport"]);
    });

    it("rolls every member back when the audio function refuses to unbind, and names it", async () => {
      const t = await setup(hgxWithAudio());
      t.kernel.refuseUnbind(AUDIO);
      const out = await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE);
      expect(out).toMatchObject({ ok: false, rolledBack: true });
      expect(out.message).toContain(AUDIO);
      expect(out.message).toMatch(/still bound to snd_hda_intel/);
      expect(out.steps).toContainEqual(expect.objectContaining({ device: AUDIO, ok: false }));
      expect(out.steps).toContainEqual(expect.objectContaining({ device: HGX_NVIDIA_BOUND_GPU, toDriver: "nvidia", ok: true, message: expect.stringMatching(/^rollback: .*back on nvidia/) }));
      const inv = await inventoryOf(t.sysfsRoot);
      expect([driverOf(inv, HGX_NVIDIA_BOUND_GPU), driverOf(inv, AUDIO)]).toEqual(["nvidia", "snd_hda_intel"]);
      expect([override(t.sysfsRoot, HGX_NVIDIA_BOUND_GPU), override(t.sysfsRoot, AUDIO)]).toEqual(["(null)\n", "(null)\n"]);
      expect(existsSync(path.join(t.stateDir, "vfio-bindings.json"))).toBe(false);
    });

    it("rolls back when the kernel never answers (timeout) and says how long it waited", async () => {
      const t = await setup(hgxWithAudio());
      t.kernel.hangOn(AUDIO);
      const out = await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE);
      expect(out).toMatchObject({ ok: false, rolledBack: true });
      expect(out.message).toMatch(new RegExp(`failed at ${AUDIO.replace(/\./g, "\\.")}: .*\\d+ ms after`));
      const inv = await inventoryOf(t.sysfsRoot);
      expect([driverOf(inv, HGX_NVIDIA_BOUND_GPU), driverOf(inv, AUDIO)]).toEqual(["nvidia", "snd_hda_intel"]);
      expect(t.kernel.events.some((e) => e.result === "hung")).toBe(true);
    });

    it("reports an incomplete rollback, keeps the record, and a later unbind finishes the job", async () => {
      const t = await setup(hgx());
      t.kernel.failProbe(HGX_NVIDIA_BOUND_GPU); // neither vfio-pci nor nvidia can take it back
      const out = await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE);
      expect(out).toMatchObject({ ok: false, rolledBack: false });
      expect(out.message).toMatch(/Rollback incomplete: 0000:19:00\.0/);
      expect(driverOf(await inventoryOf(t.sysfsRoot), HGX_NVIDIA_BOUND_GPU)).toBeNull();
      const record = JSON.parse(readFileSync(path.join(t.stateDir, "vfio-bindings.json"), "utf8"));
      expect(record.devices[HGX_NVIDIA_BOUND_GPU].originalDriver).toBe("nvidia");

      t.kernel.clearFaults();
      // Unbound (not on vfio-pci), so unbind leaves it alone; bind then unbind is the admin's way back.
      expect((await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE)).ok).toBe(true);
      expect((await t.binder.unbind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE)).ok).toBe(true);
      expect(driverOf(await inventoryOf(t.sysfsRoot), HGX_NVIDIA_BOUND_GPU)).toBe("nvidia");
    });

    it("refuses a GPU whose IOMMU group is unsafe, before writing anything", async () => {
      const spec = getSimHost("pcie-4gpu")!;
      const t = await setup(spec);
      await expectAppError(t.binder.bind(PCIE_UNSAFE_GPU, await inventoryOf(t.sysfsRoot), NONE), "GPU_IOMMU_GROUP_UNSAFE", /network controller 0000:e2:00\.0/);
      expect(t.kernel.events).toEqual([]);
      expect(existsSync(path.join(t.stateDir, "vfio-bindings.json"))).toBe(false);
    });

    it("refuses while any member of the group is allocated, unknown GPUs, and hosts with the IOMMU off", async () => {
      const t = await setup(hgx());
      const inv = await inventoryOf(t.sysfsRoot);
      await expectAppError(t.binder.bind(HGX_NVIDIA_BOUND_GPU, inv, { allocated: (a) => a === HGX_NVIDIA_BOUND_GPU }), "PRECONDITION_FAILED", /allocated/);
      await expectAppError(t.binder.unbind(HGX_NVIDIA_BOUND_GPU, inv, { allocated: (a) => a === HGX_NVIDIA_BOUND_GPU }), "PRECONDITION_FAILED", /allocated/);
      await expectAppError(t.binder.bind("0000:18:00.0", inv, NONE), "NOT_FOUND", /no GPU at 0000:18:00\.0/);
      await expectAppError(t.binder.bind("not-an-address", inv, NONE), "BAD_INPUT");
      await expectAppError(t.binder.bind(HGX_NVIDIA_BOUND_GPU, { ...inv, iommuEnabled: false }, NONE), "PRECONDITION_FAILED", /IOMMU is off/);
      expect(t.kernel.events).toEqual([]);
    });

    it("keeps its records across an agent restart: a new binder returns the GPU to nvidia", async () => {
      const t = await setup(hgx());
      expect((await t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE)).ok).toBe(true);
      const again = t.restart();
      const out = await again.unbind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE);
      expect(out, out.message).toMatchObject({ ok: true });
      expect(out.steps[0]).toMatchObject({ device: HGX_NVIDIA_BOUND_GPU, fromDriver: "vfio-pci", toDriver: "nvidia" });
      expect(driverOf(await inventoryOf(t.sysfsRoot), HGX_NVIDIA_BOUND_GPU)).toBe("nvidia");
    });

    it("without a record, unbind clears the override and lets the kernel choose, and says what it chose", async () => {
      const t = await setup(hgx());
      const inv = await inventoryOf(t.sysfsRoot);
      const onVfio = inv.gpus.find((g) => g.driver === "vfio-pci")!.address;
      const out = await t.binder.unbind(onVfio, inv, NONE);
      expect(out, out.message).toMatchObject({ ok: true });
      // This host's "ID tables" claim these GPUs for vfio-pci, as vfio-pci.ids= on a real host would.
      expect(out.steps[0]!.message).toMatch(/kernel bound it to vfio-pci again/);
      expect(driverOf(await inventoryOf(t.sysfsRoot), onVfio)).toBe("vfio-pci");
    });

    it("is a no-op for a group already on vfio-pci", async () => {
      const t = await setup(hgx());
      const inv = await inventoryOf(t.sysfsRoot);
      const onVfio = inv.gpus.find((g) => g.driver === "vfio-pci")!.address;
      const out = await t.binder.bind(onVfio, inv, NONE);
      expect(out).toMatchObject({ ok: true, rolledBack: false });
      expect(out.message).toMatch(/already on vfio-pci/);
      expect(t.kernel.events).toEqual([]);
    });

    it("refuses to bind when the record file is corrupt, without touching sysfs", async () => {
      const t = await setup(hgx());
      writeFileSync(path.join(t.stateDir, "vfio-bindings.json"), "{ not json");
      await expectAppError(t.binder.bind(HGX_NVIDIA_BOUND_GPU, await inventoryOf(t.sysfsRoot), NONE), "PRECONDITION_FAILED", /not valid JSON/);
      expect(t.kernel.events).toEqual([]);
    });
  });
}
