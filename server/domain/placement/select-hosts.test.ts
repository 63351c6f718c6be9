import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isEligibleGpu, type PlacementGpu } from "./choose-gpus";
import { selectHosts, type PlacementHost, type SessionRequest } from "./select-hosts";
import { GIB, hgxGpus, host, pcieGpus } from "./test-hosts";

const group = { resourceGroup: "gpu-kata", backend: "kata", strategy: "dispersed" as const };
const req = (gpus: number, over: Partial<SessionRequest> = {}): SessionRequest => ({ kernel: { cpu: 8, memBytes: 64 * GIB, gpus }, clusterSize: 1, ...over });

describe("selectHosts", () => {
  const hgx = host("hgx-h100", hgxGpus());
  const pcie = host("pcie-a40", pcieGpus(), { maxGpusPerVm: 4 });
  const cpu = host("cpu-only", []);

  it("places a 4-GPU kernel on the HGX host on one NUMA node, reserving the VM overhead too", () => {
    const r = selectHosts([pcie, hgx, cpu], req(4), group);
    if (!r.ok) throw new Error(r.reason);
    expect(r.placements).toHaveLength(1);
    const p = r.placements[0]!;
    expect(p.hostId).toBe("hgx-h100");
    expect(p.reserve).toEqual({ cpu: 8, memBytes: 64 * GIB + 64 * 1024 * 1024, gpus: 4 });
    expect(new Set(p.gpus.map((g) => hgx.gpus.find((x) => x.address === g.address)!.numaNode)).size).toBe(1);
  });

  it("explains the refusals in words", () => {
    expect(selectHosts([pcie, cpu], req(8), group)).toEqual({ ok: false, reason: "8 GPUs asked; the largest passthrough-safe set on one host in gpu-kata is 3" });
    expect(selectHosts([pcie], req(2, { requireLocality: "pcie-switch" }), group)).toEqual({ ok: false, reason: "no host in gpu-kata has 2 ready GPUs under one PCIe switch" });
    expect(selectHosts([host("h", hgxGpus(), { maxGpusPerVm: 4 })], req(8), group)).toEqual({ ok: false, reason: "8 GPUs asked; max-gpus-per-vm is 4 on every host in gpu-kata" });
    const busy = host("hgx-h100", hgxGpus((i) => ({ allocated: i < 6 })));
    expect(selectHosts([busy], req(4), group)).toEqual({ ok: false, reason: "no host in gpu-kata has 4 free ready GPUs now (most on one host: 2)" });
    const full = host("cpu-only", [], { occupied: { cpu: 124, memBytes: 1000 * GIB, gpus: 0 } });
    expect(selectHosts([full], req(0), group)).toEqual({ ok: false, reason: "no host in gpu-kata has 8 vCPUs and 64 GiB free after VM overhead (most free: cpu-only with 4 vCPUs, 23.9 GiB)" });
    expect(selectHosts([host("d", [], { backend: "docker" })], req(0), group)).toEqual({ ok: false, reason: "no ALIVE, schedulable kata host in gpu-kata" });
    expect(selectHosts([hgx], req(1, { clusterSize: 2 }), group)).toEqual({ ok: false, reason: "a cluster of 2 VMs needs 2 hosts (one VM per host) that are ALIVE and schedulable; gpu-kata has 1" });
  });

  it("places a session with vfolders only where every one can be mounted, and says which cannot", () => {
    const data = { name: "datasets", hostPath: "/mnt/vfstore/p1/ab/cd/ef01" };
    const fast = { name: "scratch", hostPath: "/mnt/lustre/p1/12/34/5678" };
    const nfsHgx = host("hgx-h100", hgxGpus(), { storageMountpoints: ["/mnt/vfstore"] });
    const lustrePcie = host("pcie-a40", pcieGpus(), { maxGpusPerVm: 4, storageMountpoints: ["/mnt/lustre"] });
    const near = host("near", [], { storageMountpoints: ["/mnt/vfstore2"] });
    const r = selectHosts([lustrePcie, nfsHgx], req(1, { storage: [data] }), group);
    expect(r.ok && r.placements[0]!.hostId).toBe("hgx-h100");
    // /mnt/vfstore2 does not hold /mnt/vfstore/…: whole path segments only.
    expect(selectHosts([near, cpu], req(0, { storage: [data] }), group)).toEqual({
      ok: false,
      reason: 'no kata host in gpu-kata can mount vfolder "datasets" (/mnt/vfstore/p1/ab/cd/ef01); its hosts mount /mnt/vfstore2',
    });
    expect(selectHosts([cpu], req(0, { storage: [data] }), group)).toEqual({
      ok: false,
      reason: 'no kata host in gpu-kata can mount vfolder "datasets" (/mnt/vfstore/p1/ab/cd/ef01); none of its hosts configures [[kata.storage-mounts]]',
    });
    expect(selectHosts([lustrePcie, nfsHgx], req(1, { storage: [data, fast] }), group)).toEqual({
      ok: false,
      reason: 'no kata host in gpu-kata can mount all of the vfolders "datasets", "scratch" at once; its hosts mount /mnt/lustre, /mnt/vfstore',
    });
    expect(selectHosts([lustrePcie, nfsHgx], req(1, { storage: [data], clusterSize: 2 }), group)).toEqual({
      ok: false,
      reason: "a cluster of 2 VMs needs 2 hosts (one VM per host) that can mount every vfolder; gpu-kata has 1",
    });
  });

  it("counts VM overhead against memory", () => {
    const tight = host("t", [], { capacity: { cpu: 16, memBytes: 64 * GIB, gpus: 0 } });
    expect(selectHosts([tight], req(0), group).ok).toBe(false);
    expect(selectHosts([{ ...tight, vmOverheadBytes: 0 }], req(0), group).ok).toBe(true);
  });

  it("disperses to the least used host, or concentrates on the most used", () => {
    const idle = host("a-idle", [], { occupied: { cpu: 0, memBytes: 0, gpus: 0 } });
    const busy = host("b-busy", [], { occupied: { cpu: 64, memBytes: 512 * GIB, gpus: 0 } });
    expect(selectHosts([busy, idle], req(0), group)).toMatchObject({ ok: true, placements: [{ hostId: "a-idle" }] });
    expect(selectHosts([idle, busy], req(0), { ...group, strategy: "concentrated" })).toMatchObject({ ok: true, placements: [{ hostId: "b-busy" }] });
  });

  it("keeps CPU-only kernels off GPU hosts when it can", () => {
    expect(selectHosts([hgx, cpu], req(0), group)).toMatchObject({ ok: true, placements: [{ hostId: "cpu-only" }] });
  });

  it("puts each VM of a cluster on its own host", () => {
    const r = selectHosts([hgx, host("hgx-2", hgxGpus()), pcie], req(2, { clusterSize: 3 }), group);
    if (!r.ok) throw new Error(r.reason);
    expect(new Set(r.placements.map((p) => p.hostId)).size).toBe(3);
    expect(r.placements.map((p) => p.clusterIdx)).toEqual([0, 1, 2]);
  });
});

// Random resource groups.
const gpuArb = fc.record({
  passthrough: fc.constantFrom("ready", "ready", "needs-vfio") as fc.Arbitrary<PlacementGpu["passthrough"]>,
  quarantined: fc.integer({ min: 0, max: 5 }).map((v) => v === 0),
  allocated: fc.integer({ min: 0, max: 2 }).map((v) => v === 0),
  numaNode: fc.constantFrom(0, 1),
  pcieSwitch: fc.constantFrom("sw0", "sw1", "sw2", "sw3"),
  nvlinkDomain: fc.constantFrom("nv", null),
});
const hostArb = (i: number) =>
  fc
    .record({
      gpus: fc.array(gpuArb, { maxLength: 8 }),
      cpu: fc.integer({ min: 4, max: 64 }),
      usedCpu: fc.integer({ min: 0, max: 64 }),
      memGib: fc.integer({ min: 16, max: 512 }),
      usedGib: fc.integer({ min: 0, max: 512 }),
      alive: fc.integer({ min: 0, max: 6 }).map((v) => v !== 0),
      maxGpusPerVm: fc.integer({ min: 1, max: 8 }),
    })
    .map(({ gpus, cpu, usedCpu, memGib, usedGib, alive, maxGpusPerVm }): PlacementHost => {
      const gs = gpus.map((g, j): PlacementGpu => ({ ...g, address: `000${i}:${(16 + j).toString(16)}:00.0`, iommuGroup: i * 100 + j }));
      return host(`h${i}`, gs, {
        status: alive ? "ALIVE" : "LOST",
        capacity: { cpu, memBytes: memGib * GIB, gpus: gs.length },
        occupied: { cpu: Math.min(cpu, usedCpu), memBytes: Math.min(memGib, usedGib) * GIB, gpus: gs.filter((g) => g.allocated).length },
        maxGpusPerVm,
      });
    });
const groupArb = fc.integer({ min: 1, max: 6 }).chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => hostArb(i))));
const requestArb = fc.record({
  kernel: fc.record({ cpu: fc.integer({ min: 1, max: 16 }), memBytes: fc.integer({ min: 1, max: 64 }).map((g) => g * GIB), gpus: fc.integer({ min: 0, max: 6 }) }),
  clusterSize: fc.integer({ min: 1, max: 3 }),
});

describe("selectHosts properties", () => {
  it("never breaks a rule: eligible GPUs of the kernel's own host, one VM per host, capacity kept, n GPUs exactly", () => {
    fc.assert(
      fc.property(groupArb, requestArb, fc.constantFrom("dispersed", "concentrated" as const), (hosts, request, strategy) => {
        const r = selectHosts(hosts, request, { ...group, strategy });
        if (!r.ok) {
          expect(r.reason.length).toBeGreaterThan(10);
          return;
        }
        expect(r.placements).toHaveLength(request.clusterSize);
        expect(new Set(r.placements.map((p) => p.hostId)).size).toBe(request.clusterSize);
        for (const p of r.placements) {
          const h = hosts.find((x) => x.id === p.hostId)!;
          expect(h.status).toBe("ALIVE");
          expect(p.gpus).toHaveLength(request.kernel.gpus);
          expect(p.gpus.length).toBeLessThanOrEqual(h.maxGpusPerVm);
          for (const g of p.gpus) expect(isEligibleGpu(h.gpus.find((x) => x.address === g.address)!)).toBe(true);
          expect(h.occupied.cpu + p.reserve.cpu).toBeLessThanOrEqual(h.capacity.cpu);
          expect(h.occupied.memBytes + p.reserve.memBytes).toBeLessThanOrEqual(h.capacity.memBytes);
          expect(h.occupied.gpus + p.reserve.gpus).toBeLessThanOrEqual(h.capacity.gpus);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("places whenever some host could take the kernel alone (clusters of one)", () => {
    fc.assert(
      fc.property(groupArb, requestArb, (hosts, request) => {
        const single = { ...request, clusterSize: 1 };
        const r = selectHosts(hosts, single, group);
        const someFits = hosts.some(
          (h) =>
            h.status === "ALIVE" &&
            h.capacity.cpu - h.occupied.cpu >= single.kernel.cpu &&
            h.capacity.memBytes - h.occupied.memBytes >= single.kernel.memBytes + h.vmOverheadBytes &&
            single.kernel.gpus <= h.maxGpusPerVm &&
            Math.min(h.gpus.filter(isEligibleGpu).length, h.capacity.gpus - h.occupied.gpus) >= single.kernel.gpus,
        );
        expect(r.ok).toBe(someFits);
      }),
      { numRuns: 300 },
    );
  });
});
