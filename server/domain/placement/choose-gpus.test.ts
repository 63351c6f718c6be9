import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chooseGpus, isEligibleGpu, LOCALITY_ORDER, nearestNics, type PlacementGpu } from "./choose-gpus";
import { hgxGpus, pcieGpus } from "./test-hosts";

const opts = { maxGpusPerVm: 8 };

describe("chooseGpus on an HGX board", () => {
  it("keeps 2 GPUs under one PCIe switch inside the NVLink domain", () => {
    const c = chooseGpus("hgx-h100", hgxGpus(), 2, opts);
    expect(c).toMatchObject({ ok: true, locality: "nvlink" });
    if (c.ok) expect(new Set(c.gpus.map((g) => g.pcieSwitch)).size).toBe(1);
  });

  it("puts 4 GPUs on one NUMA node", () => {
    const c = chooseGpus("hgx-h100", hgxGpus(), 4, opts);
    if (!c.ok) throw new Error(c.reason);
    expect(new Set(c.gpus.map((g) => g.numaNode)).size).toBe(1);
  });

  it("best-fits: a single GPU goes where a switch already lost its partner", () => {
    const gpus = hgxGpus((i) => ({ allocated: i === 2 }));
    const c = chooseGpus("hgx-h100", gpus, 1, opts);
    if (!c.ok) throw new Error(c.reason);
    expect(c.gpus[0]!.address).toBe("0000:5d:00.0");
  });

  it("never hands out allocated, quarantined or unready GPUs, and says how many are ready", () => {
    const gpus = hgxGpus((i) => ({ allocated: i < 3, quarantined: i === 3, passthrough: i === 4 ? "needs-vfio" : "ready" }));
    expect(chooseGpus("hgx-h100", gpus, 4, opts)).toEqual({ ok: false, reason: "host hgx-h100 has 3 ready GPUs; 4 asked", available: 3 });
  });

  it("refuses more than max-gpus-per-vm", () => {
    expect(chooseGpus("hgx-h100", hgxGpus(), 8, { maxGpusPerVm: 4 })).toMatchObject({ ok: false, reason: "8 GPUs asked; host hgx-h100 allows at most 4 per VM (max-gpus-per-vm)" });
  });

  it("attaches the nearest NIC of each GPU", () => {
    const c = chooseGpus("hgx-h100", hgxGpus(), 2, { ...opts, attachNics: true });
    if (!c.ok) throw new Error(c.reason);
    expect(c.nics).toEqual(c.gpus.map((g) => g.nics![0]!.address));
  });
});

describe("chooseGpus on a PCIe host", () => {
  it("skips the GPU in the unsafe group and spreads over NUMA only when it must", () => {
    expect(chooseGpus("pcie-a40", pcieGpus(), 4, opts)).toMatchObject({ ok: false, reason: "host pcie-a40 has 3 ready GPUs; 4 asked" });
    const c = chooseGpus("pcie-a40", pcieGpus(), 3, opts);
    expect(c).toMatchObject({ ok: true, locality: "spread" });
    const two = chooseGpus("pcie-a40", pcieGpus(), 2, opts);
    expect(two).toMatchObject({ ok: true, locality: "numa" });
  });

  it("refuses when a locality is required and not available", () => {
    expect(chooseGpus("pcie-a40", pcieGpus(), 2, { ...opts, requireLocality: "pcie-switch" })).toMatchObject({
      ok: false,
      reason: "host pcie-a40 has no 2 ready GPUs under one PCIe switch",
    });
  });
});

// Random hosts: up to 12 GPUs with random state and topology.
const gpuArb = fc.record({
  passthrough: fc.constantFrom("ready", "ready", "ready", "needs-vfio", "unsafe-group") as fc.Arbitrary<PlacementGpu["passthrough"]>,
  quarantined: fc.integer({ min: 0, max: 4 }).map((v) => v === 0),
  allocated: fc.boolean(),
  numaNode: fc.constantFrom(0, 1, null),
  pcieSwitch: fc.constantFrom("sw0", "sw1", "sw2", null),
  nvlinkDomain: fc.constantFrom("nv0", "nv1", null),
});
const hostArb = fc.array(gpuArb, { maxLength: 12 }).map((gs) =>
  gs.map((g, i): PlacementGpu => ({ ...g, address: `0000:${(16 + i).toString(16)}:00.0`, iommuGroup: 100 + i })),
);

describe("chooseGpus properties", () => {
  it("gives exactly n eligible, distinct GPUs or refuses, never beyond max-gpus-per-vm", () => {
    fc.assert(
      fc.property(hostArb, fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 8 }), (gpus, n, max) => {
        const c = chooseGpus("h", gpus, n, { maxGpusPerVm: max });
        const eligible = gpus.filter(isEligibleGpu).length;
        if (!c.ok) {
          expect(n > max || eligible < n).toBe(true);
          return;
        }
        expect(n <= max && eligible >= n).toBe(true);
        expect(c.gpus).toHaveLength(n);
        expect(new Set(c.gpus.map((g) => g.address)).size).toBe(n);
        for (const g of c.gpus) expect(isEligibleGpu(g)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("reaches the best locality that exists: a same-switch set whenever one does (and no NVLink domain fits)", () => {
    fc.assert(
      fc.property(hostArb, fc.integer({ min: 2, max: 6 }), (gpus, n) => {
        const c = chooseGpus("h", gpus, n, { maxGpusPerVm: 8 });
        if (!c.ok) return;
        const eligible = gpus.filter(isEligibleGpu);
        const fits = (key: (g: PlacementGpu) => unknown) => {
          const counts = new Map<unknown, number>();
          for (const g of eligible) if (key(g) !== null) counts.set(key(g), (counts.get(key(g)) ?? 0) + 1);
          return [...counts.values()].some((v) => v >= n);
        };
        const best = fits((g) => g.nvlinkDomain) ? "nvlink" : fits((g) => g.pcieSwitch) ? "pcie-switch" : fits((g) => g.numaNode) ? "numa" : "spread";
        expect(c.locality).toBe(best);
        const keys: Record<string, (g: PlacementGpu) => unknown> = { nvlink: (g) => g.nvlinkDomain, "pcie-switch": (g) => g.pcieSwitch, numa: (g) => g.numaNode };
        const shared = keys[best];
        if (shared) expect(new Set(c.gpus.map(shared)).size).toBe(1);
        expect(LOCALITY_ORDER).toContain(c.locality);
      }),
      { numRuns: 400 },
    );
  });
});

describe("nearestNics", () => {
  const gpu = (address: string, nics: PlacementGpu["nics"]): PlacementGpu => ({ address, passthrough: "ready", quarantined: false, allocated: false, numaNode: 0, pcieSwitch: "sw", nvlinkDomain: null, iommuGroup: 1, nics });
  it("takes each GPU's closest passable NIC once, skipping NICs not bound to vfio-pci and NICs already held", () => {
    const a = gpu("0000:19:00.0", [
      { address: "0000:1b:00.0", link: "same-root-port", ready: true },
      { address: "0000:1a:00.0", link: "same-switch", ready: true },
    ]);
    const b = gpu("0000:3b:00.0", [
      { address: "0000:1a:00.0", link: "same-switch", ready: true },
      { address: "0000:3c:00.0", link: "same-switch", ready: false },
      { address: "0000:1b:00.0", link: "same-root-port", ready: true },
    ]);
    expect(nearestNics([a, b])).toEqual(["0000:1a:00.0", "0000:1b:00.0"]);
    expect(nearestNics([a], new Set(["0000:1a:00.0"]))).toEqual(["0000:1b:00.0"]);
    expect(nearestNics([gpu("0000:5d:00.0", [{ address: "0000:5e:00.0", link: "same-switch", ready: false }])])).toEqual([]);
  });

  it("attaches NICs only when asked", () => {
    const g = gpu("0000:19:00.0", [{ address: "0000:1a:00.0", link: "same-switch", ready: true }]);
    expect(chooseGpus("h", [g], 1, opts)).toMatchObject({ ok: true, nics: [] });
    expect(chooseGpus("h", [g], 1, { ...opts, attachNics: true })).toMatchObject({ ok: true, nics: ["0000:1a:00.0"] });
  });
});
