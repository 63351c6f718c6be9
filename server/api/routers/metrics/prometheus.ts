/**
 * Hypercell's own Prometheus exposition: the latest sample of every GPU of every running session,
 * under the DCGM exporter's metric names (so dashboards built for dcgm-exporter work unchanged),
 * with the exporter's GPU labels (gpu, UUID, pci_bus_id, Hostname) and Hypercell's session,
 * session_name, project, host and kernel labels added. Served by app/metrics/prometheus/route.ts.
 */
import { formatExposition, type WritableFamily } from "../../../domain/metrics/prom-text-writer";
import type { LatestGpuSample } from "./queries";

type Column = Exclude<keyof LatestGpuSample, "at" | "sessionId" | "sessionName" | "projectId" | "projectName" | "kernelId" | "agentId" | "gpuIndex" | "gpuUuid" | "pciAddress">;

export const EXPORTED_FAMILIES: readonly { column: Column; name: string; help: string }[] = [
  { column: "util", name: "DCGM_FI_DEV_GPU_UTIL", help: "GPU utilization (in %)." },
  { column: "fbUsed", name: "DCGM_FI_DEV_FB_USED", help: "Framebuffer memory used (in MiB)." },
  { column: "fbFree", name: "DCGM_FI_DEV_FB_FREE", help: "Framebuffer memory free (in MiB)." },
  { column: "temp", name: "DCGM_FI_DEV_GPU_TEMP", help: "GPU temperature (in C)." },
  { column: "power", name: "DCGM_FI_DEV_POWER_USAGE", help: "Power draw (in W)." },
  { column: "smClock", name: "DCGM_FI_DEV_SM_CLOCK", help: "SM clock frequency (in MHz)." },
  { column: "memClock", name: "DCGM_FI_DEV_MEM_CLOCK", help: "Memory clock frequency (in MHz)." },
  { column: "nvlinkTx", name: "DCGM_FI_PROF_NVLINK_TX_BYTES", help: "The rate of data transmitted over NVLink, not including protocol headers, in bytes per second." },
  { column: "nvlinkRx", name: "DCGM_FI_PROF_NVLINK_RX_BYTES", help: "The rate of data received over NVLink, not including protocol headers, in bytes per second." },
  { column: "pcieTx", name: "DCGM_FI_PROF_PCIE_TX_BYTES", help: "The rate of data transmitted over the PCIe bus, in bytes per second." },
  { column: "pcieRx", name: "DCGM_FI_PROF_PCIE_RX_BYTES", help: "The rate of data received over the PCIe bus, in bytes per second." },
  { column: "xid", name: "DCGM_FI_DEV_XID_ERRORS", help: "Value of the last XID error encountered." },
];

export function gpuLabels(r: LatestGpuSample): Record<string, string> {
  return {
    gpu: String(r.gpuIndex),
    UUID: r.gpuUuid ?? "",
    pci_bus_id: r.pciAddress,
    Hostname: r.agentId,
    host: r.agentId,
    session: r.sessionId,
    session_name: r.sessionName,
    project: r.projectName,
    project_id: r.projectId,
    kernel: r.kernelId,
  };
}

/** The exposition text (format 0.0.4) for these samples, plus hypercell_gpu_sample_age_seconds. */
export function renderPrometheus(rows: readonly LatestGpuSample[], nowMs = Date.now()): string {
  const labels = rows.map(gpuLabels);
  const families: WritableFamily[] = EXPORTED_FAMILIES.map((f) => ({
    name: f.name,
    type: "gauge" as const,
    help: f.help,
    samples: rows.flatMap((r, i) => {
      const v = r[f.column];
      return v === null || v === undefined ? [] : [{ name: f.name, labels: labels[i]!, value: Number(v) }];
    }),
  }));
  families.push({
    name: "hypercell_gpu_sample_age_seconds",
    type: "gauge",
    help: "Seconds since the agent last scraped this GPU's in-VM exporter.",
    samples: rows.map((r, i) => ({ name: "hypercell_gpu_sample_age_seconds", labels: labels[i]!, value: Math.max(0, (nowMs - new Date(r.at).getTime()) / 1000) })),
  });
  return formatExposition(families);
}
