/**
 * GPU health rules: parsed DCGM exporter samples in, alerts out. Pure functions, no I/O, no
 * clock (callers pass times), so the agent, the controller and the CLI share one verdict.
 *
 * Counters (ECC, NVLink, PCIe replays, retired pages, throttle time) are judged by how much they
 * rose since the previous scrape of the same GPU; without a previous scrape their absolute value
 * counts as the rise (the exporter's volatile counters start at zero when the driver loads).
 * A GPU is identified by the exporter's own labels: UUID first, then PCI bus id, then index.
 */
import { normalizePciAddress } from "./pci-address.ts";
import type { Sample } from "./prom-text-parser.ts";
import { describeXid, type XidAction, type XidEvent } from "./xid.ts";

export type AlertSeverity = "info" | "warning" | "critical";
export type HealthAction = XidAction | "watch" | "check-cooling" | "check-power";

export type AlertKind =
  | "xid"
  | "ecc-dbe"
  | "ecc-sbe"
  | "nvlink-errors"
  | "gpu-temperature"
  | "memory-temperature"
  | "thermal-slowdown"
  | "power-over-limit"
  | "power-slowdown"
  | "retired-pages"
  | "retired-pages-pending"
  | "row-remap-failure"
  | "row-remap-pending"
  | "remapped-rows"
  | "pcie-replays"
  | "crash-loop";

export interface GpuIdentity {
  /** Stable key for this GPU: the UUID, else "pci:<address>", else "gpu:<index>@<host>". */
  key: string;
  uuid: string | null;
  /** Canonical "dddd:bb:dd.f" (see pci-address.ts). */
  pciBusId: string | null;
  /** The exporter's GPU index label ("gpu"). */
  gpu: string | null;
  device: string | null;
  modelName: string | null;
  hostname: string | null;
}

export interface HealthAlert {
  /** Same GPU + same rule (+ same XID) = same key, so repeated evaluations can be de-duplicated. */
  key: string;
  kind: AlertKind;
  severity: AlertSeverity;
  gpu: GpuIdentity;
  message: string;
  /** The metric the rule read, e.g. DCGM_FI_DEV_GPU_TEMP (or "kernel-log" for Xid lines). */
  metric: string;
  value: number;
  threshold?: number;
  xid?: { code: number; name: string };
  action: HealthAction;
  /** Keep this GPU out of placement until an admin has dealt with it. */
  quarantine: boolean;
}

export interface HealthThresholds {
  gpuTempWarningC: number;
  /** Used when the exporter does not report DCGM_FI_DEV_SLOWDOWN_TEMP. */
  gpuTempCriticalC: number;
  /** Critical at or above (slowdown temperature − margin) when the exporter reports it. */
  slowdownMarginC: number;
  memoryTempWarningC: number;
  memoryTempCriticalC: number;
  /** Warning when power draw exceeds the enforced limit times this ratio. */
  powerOverLimitRatio: number;
  sbeRiseWarning: number;
  nvlinkCrcRiseWarning: number;
  nvlinkReplayRiseWarning: number;
  nvlinkRecoveryRiseWarning: number;
  pcieReplayRiseWarning: number;
  /** Retired pages (SBE + DBE) at which the GPU should be serviced. */
  retiredPagesCritical: number;
}

export const DEFAULT_HEALTH_THRESHOLDS: Readonly<HealthThresholds> = Object.freeze({
  gpuTempWarningC: 85,
  gpuTempCriticalC: 92,
  slowdownMarginC: 0,
  memoryTempWarningC: 90,
  memoryTempCriticalC: 95,
  powerOverLimitRatio: 1.05,
  sbeRiseWarning: 10,
  nvlinkCrcRiseWarning: 100,
  nvlinkReplayRiseWarning: 100,
  nvlinkRecoveryRiseWarning: 1,
  pcieReplayRiseWarning: 100,
  retiredPagesCritical: 60,
});

export const DCGM = {
  XID: "DCGM_FI_DEV_XID_ERRORS",
  XID_COUNT: "DCGM_EXP_XID_ERRORS_COUNT",
  GPU_TEMP: "DCGM_FI_DEV_GPU_TEMP",
  MEMORY_TEMP: "DCGM_FI_DEV_MEMORY_TEMP",
  SLOWDOWN_TEMP: "DCGM_FI_DEV_SLOWDOWN_TEMP",
  POWER: "DCGM_FI_DEV_POWER_USAGE",
  POWER_LIMIT: "DCGM_FI_DEV_POWER_MGMT_LIMIT",
  ECC_SBE_VOL: "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL",
  ECC_DBE_VOL: "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
  NVLINK_CRC_FLIT: "DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL",
  NVLINK_CRC_DATA: "DCGM_FI_DEV_NVLINK_CRC_DATA_ERROR_COUNT_TOTAL",
  NVLINK_REPLAY: "DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL",
  NVLINK_RECOVERY: "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL",
  PCIE_REPLAY: "DCGM_FI_DEV_PCIE_REPLAY_COUNTER",
  RETIRED_SBE: "DCGM_FI_DEV_RETIRED_SBE",
  RETIRED_DBE: "DCGM_FI_DEV_RETIRED_DBE",
  RETIRED_PENDING: "DCGM_FI_DEV_RETIRED_PENDING",
  ROW_REMAP_FAILURE: "DCGM_FI_DEV_ROW_REMAP_FAILURE",
  ROW_REMAP_PENDING: "DCGM_FI_DEV_ROW_REMAP_PENDING",
  UNCORRECTABLE_REMAPPED_ROWS: "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
  THERMAL_VIOLATION: "DCGM_FI_DEV_THERMAL_VIOLATION",
  POWER_VIOLATION: "DCGM_FI_DEV_POWER_VIOLATION",
  // Renamed in newer DCGM releases; both are read.
  THROTTLE_REASONS: "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS",
  CLOCK_EVENT_REASONS: "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
} as const;

// NVML clock-event (throttle) reason bits.
const REASON_SW_POWER_CAP = 0x4;
const REASON_HW_SLOWDOWN = 0x8;
const REASON_SW_THERMAL = 0x20;
const REASON_HW_THERMAL = 0x40;
const REASON_HW_POWER_BRAKE = 0x80;

const SEVERITY_RANK: Record<AlertSeverity, number> = { info: 0, warning: 1, critical: 2 };

export function compareSeverity(a: AlertSeverity, b: AlertSeverity): number {
  return SEVERITY_RANK[a] - SEVERITY_RANK[b];
}

/** The GPU a sample belongs to, from the exporter's labels. */
export function gpuIdentityOf(labels: Readonly<Record<string, string>>): GpuIdentity {
  const uuid = labels.UUID || labels.gpu_uuid || null;
  const pciBusId = labels.pci_bus_id ? normalizePciAddress(labels.pci_bus_id) : null;
  const gpu = labels.gpu ?? null;
  const hostname = labels.Hostname || labels.hostname || null;
  const key = uuid ?? (pciBusId !== null ? `pci:${pciBusId}` : gpu !== null ? `gpu:${gpu}@${hostname ?? ""}` : "unlabelled");
  return { key, uuid, pciBusId, gpu, device: labels.device ?? null, modelName: labels.modelName || labels.model_name || null, hostname };
}

export interface GpuSnapshot {
  identity: GpuIdentity;
  /** Per metric name the largest value among the GPU's series (MIG instances repeat device fields). */
  values: Map<string, number>;
  /** DCGM_EXP_XID_ERRORS_COUNT per `xid` label: Xids seen in the exporter's window. */
  xidCounts: Map<number, number>;
  /** err_msg label of DCGM_FI_DEV_XID_ERRORS where the exporter adds it. */
  xidMessage: string | null;
}

/**
 * Groups samples by GPU. Samples without any GPU label (e.g. the exporter's own metrics) are
 * left out: a rule must be able to say which GPU it is about.
 */
export function snapshotGpus(samples: readonly Sample[]): Map<string, GpuSnapshot> {
  const out = new Map<string, GpuSnapshot>();
  let lastLabels: Readonly<Record<string, string>> | null = null;
  let last: GpuSnapshot | undefined;
  for (const s of samples) {
    if (Number.isNaN(s.value)) continue;
    let snap: GpuSnapshot | undefined;
    // Parsed samples share label objects, so consecutive identical objects skip the lookup.
    if (s.labels === lastLabels) snap = last;
    else {
      const identity = gpuIdentityOf(s.labels);
      if (identity.key === "unlabelled") {
        lastLabels = s.labels;
        last = undefined;
        continue;
      }
      snap = out.get(identity.key);
      if (snap === undefined) {
        snap = { identity, values: new Map(), xidCounts: new Map(), xidMessage: null };
        out.set(identity.key, snap);
      } else mergeIdentity(snap.identity, identity);
      lastLabels = s.labels;
      last = snap;
    }
    if (snap === undefined) continue;
    if (s.name === DCGM.XID_COUNT) {
      const code = Number(s.labels.xid ?? s.labels.err_code);
      if (Number.isInteger(code)) snap.xidCounts.set(code, Math.max(snap.xidCounts.get(code) ?? 0, s.value));
      continue;
    }
    if (s.name === DCGM.XID && s.labels.err_msg) snap.xidMessage = s.labels.err_msg;
    const prev = snap.values.get(s.name);
    if (prev === undefined || s.value > prev) snap.values.set(s.name, s.value);
  }
  return out;
}

function mergeIdentity(into: GpuIdentity, from: GpuIdentity): void {
  into.pciBusId ??= from.pciBusId;
  into.gpu ??= from.gpu;
  into.device ??= from.device;
  into.modelName ??= from.modelName;
  into.hostname ??= from.hostname;
}

export function describeGpu(gpu: GpuIdentity): string {
  const parts = [gpu.uuid, gpu.pciBusId].filter((p): p is string => p !== null);
  const index = gpu.gpu !== null ? `GPU ${gpu.gpu}` : "GPU";
  const host = gpu.hostname ? ` on ${gpu.hostname}` : "";
  return parts.length ? `${index} (${parts.join(", ")})${host}` : `${index}${host}`;
}

export interface EvaluateOptions {
  /** The previous scrape of the same exporter, for counter rises and changed Xids. */
  previous?: readonly Sample[] | ReadonlyMap<string, GpuSnapshot>;
  thresholds?: Partial<HealthThresholds>;
}

/** Alerts for every GPU in `current`, most severe first. */
export function evaluateGpuHealth(current: readonly Sample[] | ReadonlyMap<string, GpuSnapshot>, options: EvaluateOptions = {}): HealthAlert[] {
  const t: HealthThresholds = { ...DEFAULT_HEALTH_THRESHOLDS, ...options.thresholds };
  const now = current instanceof Map ? current : snapshotGpus(current as readonly Sample[]);
  const before = options.previous === undefined ? undefined : options.previous instanceof Map ? options.previous : snapshotGpus(options.previous as readonly Sample[]);
  const alerts: HealthAlert[] = [];
  for (const snap of now.values()) alerts.push(...evaluateSnapshot(snap, before?.get(snap.identity.key), t));
  return alerts.sort((a, b) => compareSeverity(b.severity, a.severity));
}

function evaluateSnapshot(snap: GpuSnapshot, prev: GpuSnapshot | undefined, t: HealthThresholds): HealthAlert[] {
  const out: HealthAlert[] = [];
  const gpu = snap.identity;
  const v = (name: string) => snap.values.get(name);
  // How much a counter rose; a counter below its previous value was reset and counts from zero.
  const rise = (name: string): number | undefined => {
    const cur = snap.values.get(name);
    if (cur === undefined) return undefined;
    const old = prev?.values.get(name);
    return old === undefined || cur < old ? cur : cur - old;
  };
  const push = (a: Omit<HealthAlert, "key" | "gpu" | "quarantine"> & { quarantine?: boolean; keySuffix?: string }) => {
    const { keySuffix, quarantine, ...rest } = a;
    out.push({ key: `${a.kind}:${gpu.key}${keySuffix ? `:${keySuffix}` : ""}`, gpu, quarantine: quarantine ?? false, ...rest });
  };
  const who = describeGpu(gpu);

  // The gauge holds the last Xid since the driver loaded, so only a new or changed value is news.
  const xid = v(DCGM.XID);
  if (xid !== undefined && xid > 0 && (prev === undefined || prev.values.get(DCGM.XID) !== xid)) {
    const info = describeXid(xid);
    push({
      kind: "xid",
      keySuffix: String(xid),
      severity: info.severity,
      metric: DCGM.XID,
      value: xid,
      xid: { code: xid, name: info.name },
      action: info.action,
      quarantine: info.quarantine,
      message: `Xid ${xid} (${info.name}) on ${who}${snap.xidMessage ? `: ${snap.xidMessage}` : ""}. ${info.guidance}`,
    });
  }
  for (const [code, count] of snap.xidCounts) {
    if (count <= 0 || (code === xid && out.some((a) => a.kind === "xid"))) continue;
    const info = describeXid(code);
    push({
      kind: "xid",
      keySuffix: String(code),
      severity: info.severity,
      metric: DCGM.XID_COUNT,
      value: count,
      xid: { code, name: info.name },
      action: info.action,
      quarantine: info.quarantine,
      message: `Xid ${code} (${info.name}) seen ${count} time(s) on ${who}. ${info.guidance}`,
    });
  }

  const dbe = rise(DCGM.ECC_DBE_VOL);
  if (dbe !== undefined && dbe > 0) {
    push({
      kind: "ecc-dbe",
      severity: "critical",
      metric: DCGM.ECC_DBE_VOL,
      value: dbe,
      threshold: 0,
      action: "reset-gpu",
      quarantine: true,
      message: `${dbe} new uncorrectable (double-bit) ECC error(s) on ${who}; the workload's memory is corrupt. Drain and reset the GPU.`,
    });
  }
  const sbe = rise(DCGM.ECC_SBE_VOL);
  if (sbe !== undefined && sbe >= t.sbeRiseWarning) {
    push({
      kind: "ecc-sbe",
      severity: "warning",
      metric: DCGM.ECC_SBE_VOL,
      value: sbe,
      threshold: t.sbeRiseWarning,
      action: "watch",
      message: `${sbe} new correctable (single-bit) ECC errors on ${who}; watch for a rising rate (Xid 92) and run diagnostics.`,
    });
  }

  const nv: { what: string; metric: string; rose: number; limit: number }[] = [];
  const crc = (rise(DCGM.NVLINK_CRC_FLIT) ?? 0) + (rise(DCGM.NVLINK_CRC_DATA) ?? 0);
  if (crc >= t.nvlinkCrcRiseWarning) nv.push({ what: "CRC", metric: DCGM.NVLINK_CRC_FLIT, rose: crc, limit: t.nvlinkCrcRiseWarning });
  const replay = rise(DCGM.NVLINK_REPLAY);
  if (replay !== undefined && replay >= t.nvlinkReplayRiseWarning) nv.push({ what: "replay", metric: DCGM.NVLINK_REPLAY, rose: replay, limit: t.nvlinkReplayRiseWarning });
  const recovery = rise(DCGM.NVLINK_RECOVERY);
  if (recovery !== undefined && recovery >= t.nvlinkRecoveryRiseWarning) nv.push({ what: "recovery", metric: DCGM.NVLINK_RECOVERY, rose: recovery, limit: t.nvlinkRecoveryRiseWarning });
  if (nv.length) {
    push({
      kind: "nvlink-errors",
      severity: "warning",
      metric: nv[0]!.metric,
      value: nv.reduce((n, x) => n + x.rose, 0),
      threshold: Math.min(...nv.map((x) => x.limit)),
      action: "watch",
      message: `NVLink errors rising on ${who}: ${nv.map((x) => `${x.rose} ${x.what}`).join(", ")}. Check the links; an NVLink Xid (74) means reset.`,
    });
  }

  const temp = v(DCGM.GPU_TEMP);
  if (temp !== undefined) {
    const slowdown = v(DCGM.SLOWDOWN_TEMP);
    const known = slowdown !== undefined && slowdown > 0;
    const critical = known ? slowdown - t.slowdownMarginC : t.gpuTempCriticalC;
    if (temp >= critical) {
      push({
        kind: "gpu-temperature",
        severity: "critical",
        metric: DCGM.GPU_TEMP,
        value: temp,
        threshold: critical,
        action: "check-cooling",
        message: `${who} is at ${temp} °C, at or above ${known ? "its slowdown temperature" : "the critical limit"} (${critical} °C); clocks are being cut.`,
      });
    } else if (temp >= t.gpuTempWarningC) {
      push({ kind: "gpu-temperature", severity: "warning", metric: DCGM.GPU_TEMP, value: temp, threshold: t.gpuTempWarningC, action: "check-cooling", message: `${who} is at ${temp} °C (warning at ${t.gpuTempWarningC} °C).` });
    }
  }
  const mem = v(DCGM.MEMORY_TEMP);
  if (mem !== undefined && mem > 0 && mem >= t.memoryTempWarningC) {
    const severity = mem >= t.memoryTempCriticalC ? "critical" : "warning";
    const limit = severity === "critical" ? t.memoryTempCriticalC : t.memoryTempWarningC;
    push({ kind: "memory-temperature", severity, metric: DCGM.MEMORY_TEMP, value: mem, threshold: limit, action: "check-cooling", message: `${who} memory is at ${mem} °C (${severity} at ${limit} °C).` });
  }

  const reasonsMetric = v(DCGM.CLOCK_EVENT_REASONS) !== undefined ? DCGM.CLOCK_EVENT_REASONS : DCGM.THROTTLE_REASONS;
  const reasons = v(reasonsMetric) ?? 0;
  const thermalNs = rise(DCGM.THERMAL_VIOLATION) ?? 0;
  const thermalBits = reasons & (REASON_SW_THERMAL | REASON_HW_THERMAL);
  // Throttle time since boot says nothing about now, so the counter needs a previous scrape.
  if (thermalBits !== 0 || (prev !== undefined && thermalNs > 0)) {
    push({
      kind: "thermal-slowdown",
      severity: "warning",
      metric: thermalBits !== 0 ? reasonsMetric : DCGM.THERMAL_VIOLATION,
      value: thermalBits !== 0 ? reasons : thermalNs,
      action: "check-cooling",
      message: `${who} is slowing its clocks for temperature${thermalNs > 0 ? ` (${(thermalNs / 1e9).toFixed(1)} s throttled since the last scrape)` : ""}.`,
    });
  }
  const powerBits = reasons & (REASON_HW_SLOWDOWN | REASON_HW_POWER_BRAKE);
  if (powerBits !== 0) {
    push({
      kind: "power-slowdown",
      severity: "warning",
      metric: reasonsMetric,
      value: reasons,
      action: "check-power",
      message: `${who} reports hardware slowdown${powerBits & REASON_HW_POWER_BRAKE ? " (power brake asserted)" : ""}; check the power supply and board.`,
    });
  }
  const power = v(DCGM.POWER);
  const limit = v(DCGM.POWER_LIMIT);
  if (power !== undefined && limit !== undefined && limit > 0 && power > limit * t.powerOverLimitRatio) {
    push({
      kind: "power-over-limit",
      severity: "warning",
      metric: DCGM.POWER,
      value: power,
      threshold: limit,
      action: "check-power",
      message: `${who} draws ${power.toFixed(1)} W, above its ${limit.toFixed(0)} W limit${reasons & REASON_SW_POWER_CAP ? " (power capping active)" : ""}.`,
    });
  }

  const pending = v(DCGM.RETIRED_PENDING);
  if (pending !== undefined && pending > 0) {
    push({ kind: "retired-pages-pending", severity: "warning", metric: DCGM.RETIRED_PENDING, value: pending, threshold: 0, action: "reset-gpu", message: `${pending} memory page(s) on ${who} wait for retirement; reset the GPU when it is idle.` });
  }
  const retired = (v(DCGM.RETIRED_SBE) ?? 0) + (v(DCGM.RETIRED_DBE) ?? 0);
  const retiredDbe = rise(DCGM.RETIRED_DBE);
  if (retired >= t.retiredPagesCritical) {
    push({ kind: "retired-pages", severity: "critical", metric: DCGM.RETIRED_DBE, value: retired, threshold: t.retiredPagesCritical, action: "service-gpu", quarantine: true, message: `${who} has ${retired} retired memory pages (service at ${t.retiredPagesCritical}).` });
  } else if (retiredDbe !== undefined && retiredDbe > 0) {
    push({ kind: "retired-pages", severity: "warning", metric: DCGM.RETIRED_DBE, value: retiredDbe, threshold: 0, action: "watch", message: `${retiredDbe} page(s) on ${who} newly retired after double-bit errors.` });
  }

  const remapFailure = v(DCGM.ROW_REMAP_FAILURE);
  if (remapFailure !== undefined && remapFailure > 0) {
    push({ kind: "row-remap-failure", severity: "critical", metric: DCGM.ROW_REMAP_FAILURE, value: remapFailure, threshold: 0, action: "service-gpu", quarantine: true, message: `Row remapping failed on ${who}: no spare rows left for bad memory. The GPU needs service (RMA).` });
  }
  const remapPending = v(DCGM.ROW_REMAP_PENDING);
  if (remapPending !== undefined && remapPending > 0) {
    push({ kind: "row-remap-pending", severity: "warning", metric: DCGM.ROW_REMAP_PENDING, value: remapPending, threshold: 0, action: "reset-gpu", message: `A row remap is pending on ${who}; it takes effect at the next GPU reset.` });
  }
  const remapped = rise(DCGM.UNCORRECTABLE_REMAPPED_ROWS);
  if (remapped !== undefined && remapped > 0) {
    push({ kind: "remapped-rows", severity: "warning", metric: DCGM.UNCORRECTABLE_REMAPPED_ROWS, value: remapped, threshold: 0, action: "watch", message: `${remapped} row(s) on ${who} remapped after uncorrectable errors.` });
  }

  const pcie = rise(DCGM.PCIE_REPLAY);
  if (pcie !== undefined && pcie >= t.pcieReplayRiseWarning) {
    push({ kind: "pcie-replays", severity: "warning", metric: DCGM.PCIE_REPLAY, value: pcie, threshold: t.pcieReplayRiseWarning, action: "watch", message: `${pcie} PCIe replays on ${who} since the last scrape; check seating and risers.` });
  }

  return out;
}

/** An alert for an Xid line read from a kernel log; `gpu` adds the identity the line lacks. */
export function alertFromXidEvent(event: XidEvent & { uuid?: string }, gpu?: Partial<GpuIdentity>): HealthAlert {
  const info = describeXid(event.xid);
  const uuid = gpu?.uuid ?? event.uuid ?? null;
  const identity: GpuIdentity = {
    key: uuid ?? `pci:${event.pciAddress}`,
    uuid,
    pciBusId: event.pciAddress,
    gpu: gpu?.gpu ?? null,
    device: gpu?.device ?? null,
    modelName: gpu?.modelName ?? null,
    hostname: gpu?.hostname ?? null,
  };
  return {
    key: `xid:${identity.key}:${event.xid}`,
    kind: "xid",
    severity: info.severity,
    gpu: identity,
    metric: "kernel-log",
    value: event.xid,
    xid: { code: event.xid, name: info.name },
    action: info.action,
    quarantine: info.quarantine,
    message: `Xid ${event.xid} (${info.name}) on ${describeGpu(identity)}${event.processName ? ` in ${event.processName}${event.pid !== undefined ? ` (pid ${event.pid})` : ""}` : ""}: ${event.message || "no detail"}. ${info.guidance}`,
  };
}

// ---- crash-loop guard ----

export interface CrashLoopPolicy {
  /** Failures on one GPU within the window that make it suspect. */
  maxFailures: number;
  windowMs: number;
}

export const DEFAULT_CRASH_LOOP_POLICY: Readonly<CrashLoopPolicy> = Object.freeze({ maxFailures: 3, windowMs: 10 * 60_000 });

export interface GpuFailure {
  /** GpuIdentity.key of the GPU the failed kernel held. */
  gpuKey: string;
  atMs: number;
  reason?: string;
}

export interface CrashLoopVerdict {
  gpuKey: string;
  /** Failures inside the window ending at `nowMs`. */
  failures: number;
  firstAtMs: number;
  lastAtMs: number;
  reasons: string[];
  recommendQuarantine: boolean;
}

/**
 * One verdict per GPU with failures in the window (now − windowMs, now]. A session that keeps
 * dying on the same GPU is more likely a bad GPU than a bad image, so N failures there
 * recommend quarantining the GPU rather than placing the session on it again.
 */
export function evaluateCrashLoop(failures: readonly GpuFailure[], nowMs: number, policy: Partial<CrashLoopPolicy> = {}): CrashLoopVerdict[] {
  const p = { ...DEFAULT_CRASH_LOOP_POLICY, ...policy };
  const from = nowMs - p.windowMs;
  const byGpu = new Map<string, CrashLoopVerdict>();
  for (const f of failures) {
    if (f.atMs <= from || f.atMs > nowMs) continue;
    const v = byGpu.get(f.gpuKey) ?? { gpuKey: f.gpuKey, failures: 0, firstAtMs: f.atMs, lastAtMs: f.atMs, reasons: [], recommendQuarantine: false };
    v.failures++;
    v.firstAtMs = Math.min(v.firstAtMs, f.atMs);
    v.lastAtMs = Math.max(v.lastAtMs, f.atMs);
    if (f.reason && !v.reasons.includes(f.reason)) v.reasons.push(f.reason);
    byGpu.set(f.gpuKey, v);
  }
  for (const v of byGpu.values()) v.recommendQuarantine = v.failures >= p.maxFailures;
  return [...byGpu.values()].sort((a, b) => b.failures - a.failures || a.gpuKey.localeCompare(b.gpuKey));
}

/** The alert for a crash-loop verdict that recommends quarantine; null otherwise. */
export function crashLoopAlert(verdict: CrashLoopVerdict, policy: Partial<CrashLoopPolicy> = {}, gpu?: GpuIdentity): HealthAlert | null {
  if (!verdict.recommendQuarantine) return null;
  const p = { ...DEFAULT_CRASH_LOOP_POLICY, ...policy };
  const identity = gpu ?? { key: verdict.gpuKey, uuid: verdict.gpuKey.startsWith("GPU-") ? verdict.gpuKey : null, pciBusId: verdict.gpuKey.startsWith("pci:") ? verdict.gpuKey.slice(4) : null, gpu: null, device: null, modelName: null, hostname: null };
  return {
    key: `crash-loop:${verdict.gpuKey}`,
    kind: "crash-loop",
    severity: "critical",
    gpu: identity,
    metric: "kernel-failures",
    value: verdict.failures,
    threshold: p.maxFailures,
    action: "reset-gpu",
    quarantine: true,
    message: `${verdict.failures} session failures on ${describeGpu(identity)} within ${Math.round(p.windowMs / 60_000)} min${verdict.reasons.length ? ` (${verdict.reasons.join("; ")})` : ""}; quarantine the GPU instead of placing sessions on it again.`,
  };
}

/**
 * Stateful convenience over `evaluateCrashLoop` for a long-running caller: remembers failures,
 * forgets those older than the window. Still no I/O and no clock of its own.
 */
export class CrashLoopGuard {
  private failures: GpuFailure[] = [];
  private readonly policy: CrashLoopPolicy;

  constructor(policy: Partial<CrashLoopPolicy> = {}) {
    this.policy = { ...DEFAULT_CRASH_LOOP_POLICY, ...policy };
  }

  /** Records a failure and returns the verdict for that GPU. */
  record(failure: GpuFailure): CrashLoopVerdict {
    this.failures = this.failures.filter((f) => f.atMs > failure.atMs - this.policy.windowMs);
    this.failures.push(failure);
    return evaluateCrashLoop(this.failures, failure.atMs, this.policy).find((v) => v.gpuKey === failure.gpuKey)!;
  }

  /** Verdicts at `nowMs` for every GPU with failures still in the window. */
  verdicts(nowMs: number): CrashLoopVerdict[] {
    return evaluateCrashLoop(this.failures, nowMs, this.policy);
  }
}
