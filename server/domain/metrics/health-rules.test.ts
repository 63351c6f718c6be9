import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { realFixture } from "@/test/fixtures";
import {
  CrashLoopGuard,
  DCGM,
  alertFromXidEvent,
  crashLoopAlert,
  evaluateCrashLoop,
  evaluateGpuHealth,
  gpuIdentityOf,
  snapshotGpus,
} from "./health-rules";
import { parsePrometheusText, type Sample } from "./prom-text-parser";
import { parseXidLog } from "./xid";

const GPU0 = { gpu: "0", UUID: "GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77", pci_bus_id: "00000000:1A:00.0", device: "nvidia0", modelName: "NVIDIA H100 80GB HBM3", Hostname: "hgx-1" };
const GPU1 = { ...GPU0, gpu: "1", UUID: "GPU-8f8001ff-73ba-2e83-3cdc-4156ae4f3912", pci_bus_id: "00000000:62:00.0", device: "nvidia1" };

function samples(labels: Record<string, string>, values: Record<string, number>): Sample[] {
  const frozen = Object.freeze({ ...labels });
  return Object.entries(values).map(([name, value]) => ({ name, labels: frozen, value, timestampMs: null }));
}

const healthy = { [DCGM.GPU_TEMP]: 55, [DCGM.MEMORY_TEMP]: 60, [DCGM.POWER]: 450.5, [DCGM.POWER_LIMIT]: 700, [DCGM.XID]: 0, [DCGM.ECC_DBE_VOL]: 0, [DCGM.ECC_SBE_VOL]: 0 };

describe("evaluateGpuHealth", () => {
  it("raises nothing for the real dumps (healthy T4, V100, H100 MIG, L40S, A30, RTX GPUs)", () => {
    for (const file of ["datadog-dcgm-fixture-metrics.txt", "issue-snippets.prom"]) {
      const r = parsePrometheusText(readFileSync(realFixture("dcgm-exporter", "metrics-dumps", file), "utf8"));
      expect(evaluateGpuHealth(r.samples)).toEqual([]);
    }
  });

  it("identifies GPUs by the exporter's own labels and skips unlabelled samples", () => {
    const r = parsePrometheusText(readFileSync(realFixture("dcgm-exporter", "metrics-dumps", "issue-snippets.prom"), "utf8"));
    const gpus = snapshotGpus(r.samples);
    const h100 = gpus.get("GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77")!;
    expect(h100.identity).toEqual({ key: "GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77", uuid: "GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77", pciBusId: "0000:1a:00.0", gpu: "0", device: "nvidia0", modelName: "NVIDIA H100 80GB HBM3", hostname: "gsrh100-074" });
    expect(gpus.get("GPU-fc60126e-514d-3522-2828-c5daa8e99d85")!.identity.hostname).toBe("dcgm-exporter-wwwjh"); // lower-case label
    expect(gpuIdentityOf({}).key).toBe("unlabelled");
    expect(gpuIdentityOf({ gpu: "3", hostname: "h" }).key).toBe("gpu:3@h");
    const dd = parsePrometheusText(readFileSync(realFixture("dcgm-exporter", "metrics-dumps", "datadog-dcgm-fixture-metrics.txt"), "utf8"));
    expect([...snapshotGpus(dd.samples).keys()].sort()).toEqual(["GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e", "GPU-9ef1b6d0-3643-5dd7-b823-c0ec20dcf2d5", "GPU-abc"]);
  });

  it("turns a new Xid into an alert with its meaning, severity and quarantine advice", () => {
    const current = [...samples(GPU0, { ...healthy, [DCGM.XID]: 79 }), ...samples(GPU1, healthy)];
    const alerts = evaluateGpuHealth(current);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      key: `xid:${GPU0.UUID}:79`,
      kind: "xid",
      severity: "critical",
      xid: { code: 79, name: "GPU has fallen off the bus" },
      action: "reboot-host",
      quarantine: true,
      gpu: { uuid: GPU0.UUID, pciBusId: "0000:1a:00.0", gpu: "0", hostname: "hgx-1" },
    });
    expect(alerts[0]!.message).toContain("Xid 79 (GPU has fallen off the bus) on GPU 0 (GPU-58e8f5ea-13cc-013a-d88f-2bcf5ae8bc77, 0000:1a:00.0) on hgx-1");
  });

  it("does not repeat an Xid that was already the last one, and does report a changed one", () => {
    const before = samples(GPU0, { ...healthy, [DCGM.XID]: 13 });
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.XID]: 13 }), { previous: before })).toEqual([]);
    const changed = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.XID]: 48 }), { previous: before });
    expect(changed.map((a) => [a.kind, a.xid?.code, a.severity])).toEqual([["xid", 48, "critical"]]);
  });

  it("reads the windowed Xid count series with its xid label", () => {
    const current: Sample[] = [
      ...samples(GPU0, healthy),
      { name: DCGM.XID_COUNT, labels: { ...GPU0, xid: "94" }, value: 2, timestampMs: null },
      { name: DCGM.XID_COUNT, labels: { ...GPU0, xid: "95" }, value: 0, timestampMs: null },
    ];
    const alerts = evaluateGpuHealth(current);
    expect(alerts.map((a) => [a.xid?.code, a.severity, a.quarantine])).toEqual([[94, "warning", false]]);
    expect(alerts[0]!.message).toContain("seen 2 time(s)");
  });

  it("judges ECC counters by their rise since the previous scrape", () => {
    const before = samples(GPU0, { ...healthy, [DCGM.ECC_DBE_VOL]: 2, [DCGM.ECC_SBE_VOL]: 100 });
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.ECC_DBE_VOL]: 2, [DCGM.ECC_SBE_VOL]: 105 }), { previous: before })).toEqual([]);
    const alerts = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.ECC_DBE_VOL]: 3, [DCGM.ECC_SBE_VOL]: 130 }), { previous: before });
    expect(alerts.map((a) => [a.kind, a.severity, a.value, a.quarantine])).toEqual([
      ["ecc-dbe", "critical", 1, true],
      ["ecc-sbe", "warning", 30, false],
    ]);
    // Without a previous scrape the counter's value since driver load is the rise.
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.ECC_DBE_VOL]: 1 })).map((a) => a.kind)).toEqual(["ecc-dbe"]);
    // A counter that went down was reset (driver reload): its new value is the rise.
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.ECC_DBE_VOL]: 1 }), { previous: before }).map((a) => a.kind)).toEqual(["ecc-dbe"]);
  });

  it("reports NVLink CRC, replay and recovery errors in one alert", () => {
    const before = samples(GPU0, { ...healthy, [DCGM.NVLINK_CRC_FLIT]: 10, [DCGM.NVLINK_CRC_DATA]: 0, [DCGM.NVLINK_REPLAY]: 0, [DCGM.NVLINK_RECOVERY]: 0 });
    const quiet = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.NVLINK_CRC_FLIT]: 60, [DCGM.NVLINK_CRC_DATA]: 0, [DCGM.NVLINK_REPLAY]: 5, [DCGM.NVLINK_RECOVERY]: 0 }), { previous: before });
    expect(quiet).toEqual([]);
    const noisy = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.NVLINK_CRC_FLIT]: 90, [DCGM.NVLINK_CRC_DATA]: 30, [DCGM.NVLINK_REPLAY]: 5, [DCGM.NVLINK_RECOVERY]: 2 }), { previous: before });
    expect(noisy).toHaveLength(1);
    expect(noisy[0]).toMatchObject({ kind: "nvlink-errors", severity: "warning", value: 112 });
    expect(noisy[0]!.message).toContain("110 CRC, 2 recovery");
  });

  it("uses the exporter's slowdown temperature when it has one, else the configured limits", () => {
    const warm = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.GPU_TEMP]: 86 }));
    expect(warm.map((a) => [a.kind, a.severity, a.threshold])).toEqual([["gpu-temperature", "warning", 85]]);
    const hot = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.GPU_TEMP]: 88, [DCGM.SLOWDOWN_TEMP]: 87 }));
    expect(hot.map((a) => [a.kind, a.severity, a.threshold])).toEqual([["gpu-temperature", "critical", 87]]);
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.GPU_TEMP]: 92 })).map((a) => a.severity)).toEqual(["critical"]);
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.GPU_TEMP]: 86 }), { thresholds: { gpuTempWarningC: 90 } })).toEqual([]);
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.MEMORY_TEMP]: 96 })).map((a) => [a.kind, a.severity])).toEqual([["memory-temperature", "critical"]]);
  });

  it("reports thermal and power slowdown from the clock-event reasons and violation counters", () => {
    const thermal = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.THROTTLE_REASONS]: 0x40 }));
    expect(thermal.map((a) => a.kind)).toEqual(["thermal-slowdown"]);
    const brake = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.CLOCK_EVENT_REASONS]: 0x80 }));
    expect(brake.map((a) => a.kind)).toEqual(["power-slowdown"]);
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.THROTTLE_REASONS]: 0x1 }))).toEqual([]); // idle
    const before = samples(GPU0, { ...healthy, [DCGM.THERMAL_VIOLATION]: 1e9 });
    const violated = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.THERMAL_VIOLATION]: 3.5e9 }), { previous: before });
    expect(violated[0]!.message).toContain("2.5 s throttled");
  });

  it("flags power draw above the enforced limit", () => {
    const alerts = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.POWER]: 760 }));
    expect(alerts.map((a) => [a.kind, a.severity, a.value, a.threshold])).toEqual([["power-over-limit", "warning", 760, 700]]);
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.POWER]: 720 }))).toEqual([]); // within 5 %
  });

  it("covers retired pages and row remapping", () => {
    const alerts = evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.RETIRED_PENDING]: 1, [DCGM.RETIRED_SBE]: 50, [DCGM.RETIRED_DBE]: 12, [DCGM.ROW_REMAP_FAILURE]: 1, [DCGM.ROW_REMAP_PENDING]: 1, [DCGM.UNCORRECTABLE_REMAPPED_ROWS]: 2 }));
    expect(alerts.map((a) => [a.kind, a.severity, a.quarantine])).toEqual([
      ["retired-pages", "critical", true],
      ["row-remap-failure", "critical", true],
      ["retired-pages-pending", "warning", false],
      ["row-remap-pending", "warning", false],
      ["remapped-rows", "warning", false],
    ]);
  });

  it("flags rising PCIe replays", () => {
    const before = samples(GPU0, { ...healthy, [DCGM.PCIE_REPLAY]: 1000 });
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.PCIE_REPLAY]: 1050 }), { previous: before })).toEqual([]);
    expect(evaluateGpuHealth(samples(GPU0, { ...healthy, [DCGM.PCIE_REPLAY]: 1200 }), { previous: before }).map((a) => a.kind)).toEqual(["pcie-replays"]);
  });

  it("takes the worst value among MIG instances of one GPU", () => {
    const current = [...samples({ ...GPU0, GPU_I_ID: "1", GPU_I_PROFILE: "1g.10gb" }, { [DCGM.GPU_TEMP]: 50 }), ...samples({ ...GPU0, GPU_I_ID: "2", GPU_I_PROFILE: "1g.10gb" }, { [DCGM.GPU_TEMP]: 93 })];
    const alerts = evaluateGpuHealth(current);
    expect(alerts.map((a) => [a.gpu.key, a.value])).toEqual([[GPU0.UUID, 93]]);
  });
});

describe("alertFromXidEvent", () => {
  it("makes an alert from a real kernel line, with the UUID the driver announced", () => {
    const [event] = parseXidLog(readFileSync(realFixture("xid-and-kernel-logs", "gpud-testdata", "dmesg-with-xid-119.log"), "utf8"));
    const alert = alertFromXidEvent(event!);
    expect(alert).toMatchObject({ key: "xid:GPU-509665ad-b600-ac93-3616-d754b23d636d:119", severity: "critical", action: "reset-gpu", quarantine: true, gpu: { pciBusId: "0000:9b:00.0" } });
    expect(alert.message).toContain("in nvidia-smi (pid 2024380)");
  });

  it("falls back to the PCI address as the GPU key", () => {
    const alert = alertFromXidEvent({ xid: 94, pciAddress: "0000:19:00.0", rawAddress: "PCI:0000:19:00", message: "Ch 00000008" });
    expect(alert.key).toBe("xid:pci:0000:19:00.0:94");
    expect(alert.severity).toBe("warning");
  });
});

describe("crash-loop guard", () => {
  const min = 60_000;

  it("recommends quarantine after N failures on one GPU inside the window, not outside it", () => {
    const failures = [
      { gpuKey: "GPU-a", atMs: 0, reason: "Xid 79" },
      { gpuKey: "GPU-a", atMs: 4 * min, reason: "sandbox exited" },
      { gpuKey: "GPU-b", atMs: 5 * min },
      { gpuKey: "GPU-a", atMs: 9 * min, reason: "Xid 79" },
    ];
    const at9 = evaluateCrashLoop(failures, 9 * min);
    expect(at9.map((v) => [v.gpuKey, v.failures, v.recommendQuarantine])).toEqual([
      ["GPU-a", 3, true],
      ["GPU-b", 1, false],
    ]);
    expect(at9[0]!.reasons).toEqual(["Xid 79", "sandbox exited"]);
    // Ten minutes after the first failure it has left the window.
    expect(evaluateCrashLoop(failures, 10 * min)[0]).toMatchObject({ gpuKey: "GPU-a", failures: 2, recommendQuarantine: false });
    expect(evaluateCrashLoop(failures, 9 * min, { maxFailures: 4 })[0]!.recommendQuarantine).toBe(false);
  });

  it("produces a critical quarantine alert only for a looping GPU", () => {
    const [looping, fine] = evaluateCrashLoop(
      [
        { gpuKey: "GPU-a", atMs: 1 },
        { gpuKey: "GPU-a", atMs: 2 },
        { gpuKey: "GPU-a", atMs: 3 },
        { gpuKey: "GPU-b", atMs: 3 },
      ],
      3,
    );
    expect(crashLoopAlert(looping!)).toMatchObject({ key: "crash-loop:GPU-a", kind: "crash-loop", severity: "critical", quarantine: true, value: 3, threshold: 3 });
    expect(crashLoopAlert(fine!)).toBeNull();
  });

  it("keeps state across records and forgets old failures", () => {
    const guard = new CrashLoopGuard({ maxFailures: 2, windowMs: 5 * min });
    expect(guard.record({ gpuKey: "g", atMs: 0 }).recommendQuarantine).toBe(false);
    expect(guard.record({ gpuKey: "g", atMs: 6 * min }).recommendQuarantine).toBe(false);
    expect(guard.record({ gpuKey: "g", atMs: 7 * min }).recommendQuarantine).toBe(true);
    expect(guard.verdicts(20 * min)).toEqual([]);
  });
});
