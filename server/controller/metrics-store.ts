/**
 * The controller's GPU metrics store. Agents scrape each running VM's DCGM exporter and send the
 * batches on their Watch stream; for each batch this
 *
 *  1. keeps one compact row per GPU (a fixed set of series, one `real` column each) in
 *     gpu_metric_samples — raw, HYPERCELL_METRICS_RAW_RETENTION_SEC (default 1 h);
 *  2. runs the health rules (server/domain/metrics/health-rules.ts) against the previous scrape of
 *     the same kernel and writes their alerts to gpu_alerts, de-duplicated by the rule's key within
 *     HYPERCELL_METRICS_ALERT_DEDUPE_SEC (default 10 min);
 *  3. feeds critical alerts to a crash-loop guard: a GPU with ≥ 3 critical alerts in 10 minutes is
 *     quarantined (Gpu.quarantined, which the scheduler skips), audited as the system.
 *
 * Every minute a job folds complete minutes into gpu_metric_rollups (1-minute averages, kept
 * HYPERCELL_METRICS_ROLLUP_RETENTION_SEC, default 24 h) and deletes what is past retention.
 * Why PostgreSQL and these shapes: docs/metrics.md ("Storage").
 */
import type { Db, Tx } from "../db";
import type { MetricsBatch__Output } from "../proto/generated/hypercell/agent/v1/MetricsBatch";
import type { Sample } from "../domain/metrics/prom-text-parser";
import { CrashLoopGuard, crashLoopAlert, DEFAULT_CRASH_LOOP_POLICY, evaluateGpuHealth, snapshotGpus, type GpuSnapshot, type HealthAlert } from "../domain/metrics/health-rules";
import { audited, type AuditRequest } from "../audit/record";
import { AppError } from "../errors";

/** The series kept per GPU sample: column → DCGM field. */
export const SERIES = {
  util: "DCGM_FI_DEV_GPU_UTIL",
  fbUsed: "DCGM_FI_DEV_FB_USED",
  fbFree: "DCGM_FI_DEV_FB_FREE",
  temp: "DCGM_FI_DEV_GPU_TEMP",
  power: "DCGM_FI_DEV_POWER_USAGE",
  smClock: "DCGM_FI_DEV_SM_CLOCK",
  memClock: "DCGM_FI_DEV_MEM_CLOCK",
  nvlinkTx: "DCGM_FI_PROF_NVLINK_TX_BYTES",
  nvlinkRx: "DCGM_FI_PROF_NVLINK_RX_BYTES",
  pcieTx: "DCGM_FI_PROF_PCIE_TX_BYTES",
  pcieRx: "DCGM_FI_PROF_PCIE_RX_BYTES",
  xid: "DCGM_FI_DEV_XID_ERRORS",
} as const;
export type SeriesName = keyof typeof SERIES;
export const SERIES_NAMES = Object.keys(SERIES) as SeriesName[];

export interface MetricsSettings {
  rawRetentionSec: number;
  rollupRetentionSec: number;
  alertRetentionSec: number;
  alertDedupeSec: number;
  rollupIntervalSec: number;
}

const positive = (v: string | undefined, fallback: number, name: string): number => {
  if (v === undefined || v === "") return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number of seconds, got "${v}"`);
  return n;
};

/** Retention and job settings from the environment (defaults: raw 1 h, rollups 24 h, alerts 30 d, dedupe 10 min, rollup every 60 s). */
export function metricsSettingsFromEnv(env: Record<string, string | undefined> = process.env): MetricsSettings {
  return {
    rawRetentionSec: positive(env.HYPERCELL_METRICS_RAW_RETENTION_SEC, 3600, "HYPERCELL_METRICS_RAW_RETENTION_SEC"),
    rollupRetentionSec: positive(env.HYPERCELL_METRICS_ROLLUP_RETENTION_SEC, 86_400, "HYPERCELL_METRICS_ROLLUP_RETENTION_SEC"),
    alertRetentionSec: positive(env.HYPERCELL_METRICS_ALERT_RETENTION_SEC, 30 * 86_400, "HYPERCELL_METRICS_ALERT_RETENTION_SEC"),
    alertDedupeSec: positive(env.HYPERCELL_METRICS_ALERT_DEDUPE_SEC, 600, "HYPERCELL_METRICS_ALERT_DEDUPE_SEC"),
    rollupIntervalSec: positive(env.HYPERCELL_METRICS_ROLLUP_INTERVAL_SEC, 60, "HYPERCELL_METRICS_ROLLUP_INTERVAL_SEC"),
  };
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SYSTEM: Omit<AuditRequest, "requestId"> = { actor: null, clientAddress: null };

/**
 * Sets Gpu.quarantined with a reason, inside the caller's audited transaction. Returns the change
 * for the audit event. NOT_FOUND for an unknown GPU.
 */
export async function quarantineGpuTx(tx: Tx, gpuId: string, reason: string) {
  const gpu = await tx.gpu.findUnique({ where: { id: gpuId }, select: { id: true, agentId: true, pciAddress: true, uuid: true, quarantined: true, quarantineReason: true } });
  if (!gpu) throw new AppError("NOT_FOUND", "No such GPU.");
  const after = await tx.gpu.update({ where: { id: gpuId }, data: { quarantined: true, quarantineReason: reason }, select: { id: true, agentId: true, pciAddress: true, quarantined: true, quarantineReason: true } });
  return {
    result: after,
    targetId: gpuId,
    before: { quarantined: gpu.quarantined, quarantineReason: gpu.quarantineReason },
    after: { host: gpu.agentId, pciAddress: gpu.pciAddress, quarantined: true, quarantineReason: reason },
  };
}

type GpuRow = { id: string; quarantined: boolean };

export interface IngestResult {
  rows: number;
  alerts: HealthAlert[];
  quarantined: string[];
}

export class MetricsStore {
  readonly settings: MetricsSettings;
  private readonly db: Db;
  private readonly log: (msg: string) => void;
  private readonly now: () => number;
  /** Last scrape's snapshots per kernel, for counter rises and changed Xids. */
  private readonly previous = new Map<string, { atMs: number; snaps: Map<string, GpuSnapshot> }>();
  /** agentId/alert key → when it was last written (the DB is asked when this process has not seen it). */
  private readonly lastAlert = new Map<string, number>();
  private readonly gpuIds = new Map<string, GpuRow | null>();
  private readonly crashLoop = new CrashLoopGuard(DEFAULT_CRASH_LOOP_POLICY);
  /** Set once the guard holds the critical alerts of the window from before this process started. */
  private crashLoopRestored: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private rolling: Promise<unknown> | null = null;

  /**
   * The crash-loop guard counts critical alerts in a window; the alerts themselves are in the
   * database, so a restarted controller picks the count up where the last one left it instead of
   * starting from zero (a GPU failing across a restart is still caught).
   */
  private restoreCrashLoop(nowMs: number): Promise<void> {
    this.crashLoopRestored ??= (async () => {
      const since = new Date(nowMs - DEFAULT_CRASH_LOOP_POLICY.windowMs);
      const rows = await this.db.gpuAlert.findMany({
        where: { severity: "critical", kind: { not: "crash-loop" }, gpuId: { not: null }, at: { gte: since, lt: new Date(nowMs) } },
        select: { gpuId: true, at: true, xid: true, kind: true },
        orderBy: { at: "asc" },
      });
      for (const r of rows) this.crashLoop.record({ gpuKey: r.gpuId!, atMs: r.at.getTime(), reason: r.xid ? `Xid ${r.xid}` : r.kind });
    })();
    return this.crashLoopRestored;
  }

  constructor(opts: { db: Db; settings?: Partial<MetricsSettings>; env?: Record<string, string | undefined>; log?: (msg: string) => void; now?: () => number }) {
    this.db = opts.db;
    this.settings = { ...metricsSettingsFromEnv(opts.env), ...opts.settings };
    this.log = opts.log ?? ((m) => console.log(`[metrics] ${m}`));
    this.now = opts.now ?? Date.now;
  }

  /** Starts the rollup/retention job (every rollupIntervalSec). */
  start(): this {
    if (this.timer) return this;
    this.timer = setInterval(() => void this.runJob(), this.settings.rollupIntervalSec * 1000);
    this.timer.unref?.();
    return this;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.rolling;
  }

  private async runJob() {
    if (this.rolling) return;
    this.rolling = this.rollup().then(
      (r) => {
        if (r.deletedRaw || r.deletedRollups) this.log(`rolled ${r.rolled} GPU-minutes; deleted ${r.deletedRaw} raw samples and ${r.deletedRollups} rollups past retention`);
      },
      (e) => this.log(`rollup: ${e instanceof Error ? e.message : e}`),
    );
    await this.rolling;
    this.rolling = null;
  }

  /** The onMetrics callback of the AgentGateway. Never throws for bad input; database errors propagate (the gateway logs them). */
  async ingest(agentId: string, batch: MetricsBatch__Output): Promise<IngestResult> {
    const out: IngestResult = { rows: 0, alerts: [], quarantined: [] };
    if (batch.error || !UUID_RE.test(batch.kernelId) || !UUID_RE.test(batch.sessionId)) return out;
    const atMs = Number(batch.scrapedAtMs) || this.now();
    const samples: Sample[] = batch.samples.map((s) => ({ name: s.name, labels: s.labels ?? {}, value: Number(s.value), timestampMs: s.timestampMs ? Number(s.timestampMs) : null }));
    const snaps = snapshotGpus(samples);
    const at = new Date(atMs);
    const rows = [];
    for (const snap of snaps.values()) {
      const pci = snap.identity.pciBusId;
      if (pci === null) continue;
      const row: Record<string, unknown> = {
        at,
        sessionId: batch.sessionId,
        kernelId: batch.kernelId,
        agentId,
        gpuIndex: Math.max(0, Math.min(32767, Number(snap.identity.gpu ?? 0) || 0)),
        gpuUuid: snap.identity.uuid,
        pciAddress: pci,
      };
      for (const name of SERIES_NAMES) {
        const v = snap.values.get(SERIES[name]);
        row[name] = v === undefined || !Number.isFinite(v) ? null : name === "xid" ? Math.round(v) : v;
      }
      rows.push(row);
    }
    if (rows.length) {
      await this.db.gpuMetricSample.createMany({ data: rows as never });
      out.rows = rows.length;
    }

    const prev = this.previous.get(batch.kernelId);
    this.previous.set(batch.kernelId, { atMs, snaps });
    this.forgetStaleKernels(atMs);
    const alerts = evaluateGpuHealth(snaps, prev ? { previous: prev.snaps } : {});
    for (const alert of alerts) {
      if (!(await this.writeAlert(agentId, batch, alert, atMs))) continue;
      out.alerts.push(alert);
      if (alert.severity !== "critical") continue;
      const gpu = await this.gpuOf(agentId, alert.gpu.pciBusId);
      await this.restoreCrashLoop(atMs);
      const verdict = this.crashLoop.record({ gpuKey: gpu?.id ?? `${agentId}/${alert.gpu.key}`, atMs, reason: alert.xid ? `Xid ${alert.xid.code}` : alert.kind });
      if (!verdict.recommendQuarantine || !gpu || gpu.quarantined) continue;
      const loop = crashLoopAlert(verdict, DEFAULT_CRASH_LOOP_POLICY, alert.gpu)!;
      const reason = `crash-loop guard: ${loop.message}`;
      await audited(this.db, { ...SYSTEM, requestId: `metrics-crash-loop-${gpu.id}-${atMs}` }, { action: "gpus.quarantine", targetType: "gpu", targetId: gpu.id }, (tx) => quarantineGpuTx(tx, gpu.id, reason));
      gpu.quarantined = true;
      await this.writeAlert(agentId, batch, loop, atMs, true);
      out.alerts.push(loop);
      out.quarantined.push(gpu.id);
      this.log(`quarantined GPU ${alert.gpu.pciBusId} on ${agentId}: ${loop.message}`);
    }
    return out;
  }

  private forgetStaleKernels(nowMs: number) {
    if (this.previous.size < 256) return;
    for (const [k, v] of this.previous) if (nowMs - v.atMs > 10 * 60_000) this.previous.delete(k);
  }

  private async gpuOf(agentId: string, pci: string | null): Promise<GpuRow | null> {
    if (pci === null) return null;
    const key = `${agentId}/${pci}`;
    const cached = this.gpuIds.get(key);
    if (cached !== undefined) return cached;
    const gpu = await this.db.gpu.findUnique({ where: { agentId_pciAddress: { agentId, pciAddress: pci } }, select: { id: true, quarantined: true } });
    this.gpuIds.set(key, gpu);
    return gpu;
  }

  /** Writes the alert unless the same key was written within the dedupe window; true when written. */
  private async writeAlert(agentId: string, batch: MetricsBatch__Output, alert: HealthAlert, atMs: number, force = false): Promise<boolean> {
    const dedupeKey = `${agentId}/${alert.key}`;
    const windowMs = this.settings.alertDedupeSec * 1000;
    if (!force) {
      const last = this.lastAlert.get(dedupeKey);
      if (last !== undefined && atMs - last < windowMs) return false;
      if (last === undefined) {
        const recent = await this.db.gpuAlert.findFirst({ where: { agentId, key: alert.key, at: { gt: new Date(atMs - windowMs) } }, select: { at: true }, orderBy: { at: "desc" } });
        if (recent) {
          this.lastAlert.set(dedupeKey, recent.at.getTime());
          return false;
        }
      }
    }
    this.lastAlert.set(dedupeKey, atMs);
    const gpu = await this.gpuOf(agentId, alert.gpu.pciBusId);
    await this.db.gpuAlert.create({
      data: {
        at: new Date(atMs),
        key: alert.key,
        agentId,
        sessionId: batch.sessionId,
        kernelId: batch.kernelId,
        gpuId: gpu?.id ?? null,
        gpuUuid: alert.gpu.uuid,
        pciAddress: alert.gpu.pciBusId,
        kind: alert.kind,
        severity: alert.severity,
        xid: alert.xid?.code ?? null,
        action: alert.action,
        recommendQuarantine: alert.quarantine,
        message: alert.message,
      },
    });
    return true;
  }

  /**
   * Folds the last few complete minutes of raw samples into 1-minute rollups (idempotent: a minute
   * is recomputed until it leaves the look-back) and deletes raw samples, rollups and alerts past
   * retention.
   */
  async rollup(nowMs = this.now()): Promise<{ rolled: number; deletedRaw: number; deletedRollups: number; deletedAlerts: number }> {
    const to = new Date(Math.floor(nowMs / 60_000) * 60_000);
    const from = new Date(to.getTime() - 5 * 60_000);
    const avg = SERIES_NAMES.filter((n) => n !== "xid")
      .map((n) => `avg("${n}")`)
      .join(", ");
    const cols = SERIES_NAMES.map((n) => `"${n}"`).join(", ");
    const set = SERIES_NAMES.map((n) => `"${n}" = EXCLUDED."${n}"`).join(", ");
    const rolled = await this.db.$executeRawUnsafe(
      `INSERT INTO gpu_metric_rollups (bucket, samples, "sessionId", "kernelId", "agentId", "gpuIndex", "gpuUuid", "pciAddress", ${cols})
       SELECT date_trunc('minute', at), least(count(*), 32767)::smallint, "sessionId", "kernelId", "agentId", min("gpuIndex"), max("gpuUuid"), "pciAddress", ${avg}, max(xid)
         FROM gpu_metric_samples
        WHERE at >= $1 AND at < $2
        GROUP BY date_trunc('minute', at), "sessionId", "kernelId", "agentId", "pciAddress"
       ON CONFLICT ("kernelId", "pciAddress", bucket) DO UPDATE SET samples = EXCLUDED.samples, "gpuUuid" = EXCLUDED."gpuUuid", ${set}`,
      from,
      to,
    );
    const s = this.settings;
    const deletedRaw = await this.db.$executeRaw`DELETE FROM gpu_metric_samples WHERE at < ${new Date(nowMs - s.rawRetentionSec * 1000)}`;
    const deletedRollups = await this.db.$executeRaw`DELETE FROM gpu_metric_rollups WHERE bucket < ${new Date(nowMs - s.rollupRetentionSec * 1000)}`;
    const deletedAlerts = await this.db.$executeRaw`DELETE FROM gpu_alerts WHERE at < ${new Date(nowMs - s.alertRetentionSec * 1000)}`;
    for (const [k, t] of this.lastAlert) if (nowMs - t > s.alertDedupeSec * 1000) this.lastAlert.delete(k);
    this.gpuIds.clear(); // GPUs come and go with inventory; re-read them now and then
    return { rolled, deletedRaw, deletedRollups, deletedAlerts };
  }
}
