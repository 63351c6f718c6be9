/**
 * The DCGM fields the simulated exporter serves, with the Prometheus type and HELP text the real
 * dcgm-exporter takes from its counters CSV (etc/default-counters.csv, where the ECC, retired-page,
 * NVLink-error, violation and extra profiling lines are shipped commented out: the simulation
 * enables them so health rules have something to read). `format` is how the exporter prints the
 * value: "%d" for integer DCGM fields, "%f" (six decimals) for floating-point ones.
 */
export interface DcgmFieldSpec {
  name: string;
  type: "gauge" | "counter";
  help: string;
  format: "int" | "float";
}

const f = (name: string, type: DcgmFieldSpec["type"], format: DcgmFieldSpec["format"], help: string): DcgmFieldSpec => ({ name, type, help, format });

export const SIMULATED_DCGM_FIELDS: readonly DcgmFieldSpec[] = Object.freeze([
  f("DCGM_FI_DEV_SM_CLOCK", "gauge", "int", "SM clock frequency (in MHz)."),
  f("DCGM_FI_DEV_MEM_CLOCK", "gauge", "int", "Memory clock frequency (in MHz)."),
  f("DCGM_FI_DEV_MEMORY_TEMP", "gauge", "int", "Memory temperature (in C)."),
  f("DCGM_FI_DEV_GPU_TEMP", "gauge", "int", "GPU temperature (in C)."),
  f("DCGM_FI_DEV_POWER_USAGE", "gauge", "float", "Power draw (in W)."),
  f("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "int", "Total energy consumption since boot (in mJ)."),
  f("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "int", "Total number of PCIe retries."),
  f("DCGM_FI_DEV_GPU_UTIL", "gauge", "int", "GPU utilization (in %)."),
  f("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "int", "Memory utilization (in %)."),
  f("DCGM_FI_DEV_ENC_UTIL", "gauge", "int", "Encoder utilization (in %)."),
  f("DCGM_FI_DEV_DEC_UTIL", "gauge", "int", "Decoder utilization (in %)."),
  f("DCGM_FI_DEV_XID_ERRORS", "gauge", "int", "Value of the last XID error encountered."),
  f("DCGM_FI_DEV_POWER_VIOLATION", "counter", "int", "Throttling duration due to power constraints (in ns)."),
  f("DCGM_FI_DEV_THERMAL_VIOLATION", "counter", "int", "Throttling duration due to thermal constraints (in ns)."),
  f("DCGM_FI_DEV_FB_FREE", "gauge", "int", "Framebuffer memory free (in MiB)."),
  f("DCGM_FI_DEV_FB_USED", "gauge", "int", "Framebuffer memory used (in MiB)."),
  f("DCGM_FI_DEV_FB_RESERVED", "gauge", "int", "Framebuffer memory reserved (in MiB)."),
  f("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "counter", "int", "Total number of single-bit volatile ECC errors."),
  f("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "counter", "int", "Total number of double-bit volatile ECC errors."),
  f("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", "counter", "int", "Total number of single-bit persistent ECC errors."),
  f("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", "counter", "int", "Total number of double-bit persistent ECC errors."),
  f("DCGM_FI_DEV_RETIRED_SBE", "counter", "int", "Total number of retired pages due to single-bit errors."),
  f("DCGM_FI_DEV_RETIRED_DBE", "counter", "int", "Total number of retired pages due to double-bit errors."),
  f("DCGM_FI_DEV_RETIRED_PENDING", "counter", "int", "Total number of pages pending retirement."),
  f("DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", "counter", "int", "Total number of NVLink flow-control CRC errors."),
  f("DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL", "counter", "int", "Total number of NVLink data CRC errors."),
  f("DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", "counter", "int", "Total number of NVLink retries."),
  f("DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", "counter", "int", "Total number of NVLink recovery errors."),
  f("DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "counter", "int", "Total number of NVLink bandwidth counters for all lanes."),
  f("DCGM_FI_DEV_VGPU_LICENSE_STATUS", "gauge", "int", "vGPU License status"),
  f("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "counter", "int", "Number of remapped rows for uncorrectable errors"),
  f("DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS", "counter", "int", "Number of remapped rows for correctable errors"),
  f("DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "int", "Whether remapping of rows has failed"),
  // Seen in real scrapes (with the empty HELP their CSV gave them); the health rules read them.
  f("DCGM_FI_DEV_POWER_MGMT_LIMIT", "gauge", "float", "Power management limit (in W)."),
  f("DCGM_FI_DEV_SLOWDOWN_TEMP", "gauge", "int", "Slowdown temperature threshold (in C)."),
  f("DCGM_FI_DEV_CLOCK_THROTTLE_REASONS", "gauge", "int", "Current clock throttle reasons (bitmask of NVML reasons)."),
  f("DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "float", "Ratio of time the graphics engine is active."),
  f("DCGM_FI_PROF_SM_ACTIVE", "gauge", "float", "The ratio of cycles an SM has at least 1 warp assigned."),
  f("DCGM_FI_PROF_SM_OCCUPANCY", "gauge", "float", "The ratio of number of warps resident on an SM."),
  f("DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge", "float", "Ratio of cycles the tensor (HMMA) pipe is active."),
  f("DCGM_FI_PROF_DRAM_ACTIVE", "gauge", "float", "Ratio of cycles the device memory interface is active sending or receiving data."),
  f("DCGM_FI_PROF_PIPE_FP64_ACTIVE", "gauge", "float", "Ratio of cycles the fp64 pipes are active."),
  f("DCGM_FI_PROF_PIPE_FP32_ACTIVE", "gauge", "float", "Ratio of cycles the fp32 pipes are active."),
  f("DCGM_FI_PROF_PIPE_FP16_ACTIVE", "gauge", "float", "Ratio of cycles the fp16 pipes are active."),
  f("DCGM_FI_PROF_PCIE_TX_BYTES", "gauge", "int", "The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second."),
  f("DCGM_FI_PROF_PCIE_RX_BYTES", "gauge", "int", "The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second."),
  f("DCGM_FI_PROF_NVLINK_TX_BYTES", "gauge", "int", "The rate of data transmitted over NVLink, not including protocol headers, in bytes per second."),
  f("DCGM_FI_PROF_NVLINK_RX_BYTES", "gauge", "int", "The rate of data received over NVLink, not including protocol headers, in bytes per second."),
]);

export interface CountersCsvEntry {
  name: string;
  type: string;
  help: string;
  /** The line was commented out ("# DCGM_FI_…, …"): shipped but disabled. */
  disabled: boolean;
}

/**
 * Reads a dcgm-exporter counters CSV ("DCGM field, Prometheus type, help"), including the field
 * lines shipped commented out. Other comments and blank lines are skipped.
 */
export function parseDcgmCountersCsv(text: string): CountersCsvEntry[] {
  const out: CountersCsvEntry[] = [];
  for (const raw of text.split("\n")) {
    let line = raw.trim();
    let disabled = false;
    if (line.startsWith("#")) {
      line = line.replace(/^#\s*/, "");
      disabled = true;
    }
    const m = /^((?:DCGM|dcgm)_\w+)\s*,\s*(\w+)\s*,\s*(.*)$/.exec(line);
    if (!m) continue;
    out.push({ name: m[1]!, type: m[2]!, help: m[3]!.trim(), disabled });
  }
  return out;
}
