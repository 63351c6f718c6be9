import { describe, expect, it } from "vitest";
import { renderPrometheus } from "./prometheus";
import type { LatestGpuSample } from "./queries";
import { parsePrometheusText } from "@/server/domain/metrics/prom-text-parser";

const row = (over: Partial<LatestGpuSample> = {}): LatestGpuSample => ({
  at: new Date(1_000_000),
  sessionId: "6f1c3c1e-1111-4a4a-9a9a-000000000001",
  sessionName: 'train "big" run',
  projectId: "6f1c3c1e-2222-4a4a-9a9a-000000000002",
  projectName: "vision-lab",
  kernelId: "6f1c3c1e-3333-4a4a-9a9a-000000000003",
  agentId: "hgx-h100",
  gpuIndex: 0,
  gpuUuid: "GPU-1234",
  pciAddress: "0000:18:00.0",
  util: 97,
  fbUsed: 70000,
  fbFree: 10000,
  temp: 71,
  power: 650.5,
  smClock: 1980,
  memClock: 2619,
  nvlinkTx: 1.5e11,
  nvlinkRx: 1.5e11,
  pcieTx: 1.9e9,
  pcieRx: null,
  xid: 0,
  ...over,
});

describe("renderPrometheus", () => {
  it("writes DCGM-named gauges with session, project, host, kernel and GPU labels that parse back", () => {
    const text = renderPrometheus([row(), row({ gpuIndex: 1, pciAddress: "0000:2a:00.0", gpuUuid: null, xid: 79 })], 6_000_000);
    const parsed = parsePrometheusText(text);
    expect(parsed.errors).toEqual([]);
    expect(parsed.families.get("DCGM_FI_DEV_GPU_UTIL")).toMatchObject({ type: "gauge" });
    const util = parsed.samples.filter((s) => s.name === "DCGM_FI_DEV_GPU_UTIL");
    expect(util).toHaveLength(2);
    expect(util[0]!.labels).toEqual({
      gpu: "0",
      UUID: "GPU-1234",
      pci_bus_id: "0000:18:00.0",
      Hostname: "hgx-h100",
      host: "hgx-h100",
      session: "6f1c3c1e-1111-4a4a-9a9a-000000000001",
      session_name: 'train "big" run',
      project: "vision-lab",
      project_id: "6f1c3c1e-2222-4a4a-9a9a-000000000002",
      kernel: "6f1c3c1e-3333-4a4a-9a9a-000000000003",
    });
    expect(parsed.samples.find((s) => s.name === "DCGM_FI_DEV_XID_ERRORS" && s.labels.gpu === "1")!.value).toBe(79);
    // A series with no value is left out, not written as 0.
    expect(parsed.samples.filter((s) => s.name === "DCGM_FI_PROF_PCIE_RX_BYTES")).toEqual([]);
    expect(parsed.samples.find((s) => s.name === "hypercell_gpu_sample_age_seconds")!.value).toBe(5000);
  });

  it("is empty but valid with no running GPUs", () => {
    const parsed = parsePrometheusText(renderPrometheus([]));
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples).toEqual([]);
  });
});
