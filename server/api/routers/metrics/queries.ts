/**
 * Reads of the GPU metrics tables for the console (tRPC) and the Prometheus endpoint. Scoping is
 * the caller's job: pass the project ids the actor may see, or "all".
 */
import type { Db } from "../../../db";
import { metricsSettingsFromEnv } from "../../../controller/metrics-store";

export const RANGES = { "15m": 15 * 60, "1h": 3600, "6h": 6 * 3600, "24h": 24 * 3600 } as const;
export type Range = keyof typeof RANGES;
/** At most this many points per series, whatever the range. */
export const MAX_POINTS = 360;

export interface MetricPoint {
  /** Bucket start, epoch ms. */
  t: number;
  util: number | null;
  fbUsed: number | null;
  fbFree: number | null;
  temp: number | null;
  power: number | null;
  smClock: number | null;
  memClock: number | null;
  nvlinkTx: number | null;
  nvlinkRx: number | null;
  pcieTx: number | null;
  pcieRx: number | null;
  xid: number | null;
}

export interface GpuSeries {
  key: string;
  kernelId: string;
  agentId: string;
  index: number;
  uuid: string | null;
  pciAddress: string;
  points: MetricPoint[];
}

type SeriesRow = {
  kernelId: string;
  agentId: string;
  pciAddress: string;
  gpuIndex: number;
  gpuUuid: string | null;
  b: number;
} & Omit<MetricPoint, "t">;

const r1 = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
const r0 = (v: number | null) => (v === null ? null : Math.round(v));

/**
 * Per GPU of the session, its series over the range, averaged into at most MAX_POINTS buckets:
 * raw samples for the part of the range inside raw retention, 1-minute rollups before that.
 */
export async function sessionSeries(db: Db, sessionId: string, range: Range, nowMs = Date.now()) {
  const rangeSec = RANGES[range];
  const stepSec = Math.max(1, rangeSec / MAX_POINTS);
  const fromMs = nowMs - rangeSec * 1000;
  const rawFromMs = Math.max(fromMs, nowMs - metricsSettingsFromEnv().rawRetentionSec * 1000);
  const from = new Date(fromMs);
  const rawFrom = new Date(rawFromMs);
  const cols = `util, "fbUsed", "fbFree", temp, power, "smClock", "memClock", "nvlinkTx", "nvlinkRx", "pcieTx", "pcieRx", xid`;
  const rows = await db.$queryRawUnsafe<SeriesRow[]>(
    `WITH src AS (
       SELECT bucket AS at, "kernelId", "agentId", "pciAddress", "gpuIndex", "gpuUuid", ${cols} FROM gpu_metric_rollups
        WHERE "sessionId" = $1::uuid AND bucket >= $2 AND bucket < $3
       UNION ALL
       SELECT at, "kernelId", "agentId", "pciAddress", "gpuIndex", "gpuUuid", ${cols} FROM gpu_metric_samples
        WHERE "sessionId" = $1::uuid AND at >= $3
     )
     SELECT "kernelId"::text AS "kernelId", "agentId", "pciAddress", min("gpuIndex")::int AS "gpuIndex", max("gpuUuid") AS "gpuUuid",
            floor(extract(epoch FROM at) / $4)::float8 AS b,
            avg(util)::float8 AS util, avg("fbUsed")::float8 AS "fbUsed", avg("fbFree")::float8 AS "fbFree", avg(temp)::float8 AS temp,
            avg(power)::float8 AS power, avg("smClock")::float8 AS "smClock", avg("memClock")::float8 AS "memClock",
            avg("nvlinkTx")::float8 AS "nvlinkTx", avg("nvlinkRx")::float8 AS "nvlinkRx", avg("pcieTx")::float8 AS "pcieTx", avg("pcieRx")::float8 AS "pcieRx",
            max(xid)::int AS xid
       FROM src
      GROUP BY "kernelId", "agentId", "pciAddress", b
      ORDER BY "kernelId", "pciAddress", b`,
    sessionId,
    from,
    rawFrom,
    stepSec,
  );
  const gpus = new Map<string, GpuSeries>();
  for (const r of rows) {
    const key = `${r.kernelId}/${r.pciAddress}`;
    let g = gpus.get(key);
    if (!g) {
      g = { key, kernelId: r.kernelId, agentId: r.agentId, index: r.gpuIndex, uuid: r.gpuUuid, pciAddress: r.pciAddress, points: [] };
      gpus.set(key, g);
    }
    if (r.gpuUuid) g.uuid = r.gpuUuid;
    g.points.push({
      t: Math.round(r.b * stepSec * 1000),
      util: r1(r.util),
      fbUsed: r0(r.fbUsed),
      fbFree: r0(r.fbFree),
      temp: r1(r.temp),
      power: r1(r.power),
      smClock: r0(r.smClock),
      memClock: r0(r.memClock),
      nvlinkTx: r0(r.nvlinkTx),
      nvlinkRx: r0(r.nvlinkRx),
      pcieTx: r0(r.pcieTx),
      pcieRx: r0(r.pcieRx),
      xid: r.xid,
    });
  }
  const list = [...gpus.values()].sort((a, b) => a.kernelId.localeCompare(b.kernelId) || a.index - b.index);
  const last = list.reduce((m, g) => Math.max(m, g.points.at(-1)?.t ?? 0), 0);
  return { range, stepSec, fromMs, toMs: nowMs, lastSampleMs: last || null, gpus: list };
}

export interface LatestGpuSample {
  at: Date;
  sessionId: string;
  sessionName: string;
  projectId: string;
  projectName: string;
  kernelId: string;
  agentId: string;
  gpuIndex: number;
  gpuUuid: string | null;
  pciAddress: string;
  util: number | null;
  fbUsed: number | null;
  fbFree: number | null;
  temp: number | null;
  power: number | null;
  smClock: number | null;
  memClock: number | null;
  nvlinkTx: number | null;
  nvlinkRx: number | null;
  pcieTx: number | null;
  pcieRx: number | null;
  xid: number | null;
}

/** The latest sample of every GPU of a running session scraped within `freshSec`, in the given projects. */
export async function latestSamples(db: Db, projects: "all" | string[], freshSec = 120): Promise<LatestGpuSample[]> {
  if (projects !== "all" && projects.length === 0) return [];
  const since = new Date(Date.now() - freshSec * 1000);
  const scope = projects === "all" ? "" : `AND s."projectId" = ANY($2::uuid[])`;
  return db.$queryRawUnsafe<LatestGpuSample[]>(
    `SELECT DISTINCT ON (m."kernelId", m."pciAddress")
            m.at, m."sessionId"::text AS "sessionId", s.name AS "sessionName", s."projectId"::text AS "projectId", p.name AS "projectName",
            m."kernelId"::text AS "kernelId", m."agentId", m."gpuIndex"::int AS "gpuIndex", m."gpuUuid", m."pciAddress",
            m.util::float8 AS util, m."fbUsed"::float8 AS "fbUsed", m."fbFree"::float8 AS "fbFree", m.temp::float8 AS temp, m.power::float8 AS power,
            m."smClock"::float8 AS "smClock", m."memClock"::float8 AS "memClock", m."nvlinkTx"::float8 AS "nvlinkTx", m."nvlinkRx"::float8 AS "nvlinkRx",
            m."pcieTx"::float8 AS "pcieTx", m."pcieRx"::float8 AS "pcieRx", m.xid
       FROM gpu_metric_samples m
       JOIN sessions s ON s.id = m."sessionId"
       JOIN projects p ON p.id = s."projectId"
      WHERE m.at >= $1 AND s.status IN ('RUNNING', 'RUNNING_DEGRADED') ${scope}
      ORDER BY m."kernelId", m."pciAddress", m.at DESC`,
    since,
    ...(projects === "all" ? [] : [projects]),
  );
}

const mean = (xs: (number | null)[]) => {
  const v = xs.filter((x): x is number => x !== null);
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : null;
};
const sum = (xs: (number | null)[]) => xs.reduce<number>((a, b) => a + (b ?? 0), 0);

export interface OverviewGroup {
  id: string;
  name: string;
  gpus: number;
  sessions: number;
  util: number | null;
  temp: number | null;
  maxTemp: number | null;
  power: number;
  fbUsed: number;
  fbTotal: number;
  lastAt: Date | null;
}

function group(rows: LatestGpuSample[], keyOf: (r: LatestGpuSample) => [string, string]): OverviewGroup[] {
  const by = new Map<string, { name: string; rows: LatestGpuSample[] }>();
  for (const r of rows) {
    const [id, name] = keyOf(r);
    const g = by.get(id) ?? { name, rows: [] };
    g.rows.push(r);
    by.set(id, g);
  }
  return [...by.entries()]
    .map(([id, { name, rows: rs }]) => ({
      id,
      name,
      gpus: rs.length,
      sessions: new Set(rs.map((r) => r.sessionId)).size,
      util: mean(rs.map((r) => r.util)),
      temp: mean(rs.map((r) => r.temp)),
      maxTemp: rs.reduce<number | null>((m, r) => (r.temp === null ? m : m === null ? r.temp : Math.max(m, r.temp)), null),
      power: sum(rs.map((r) => r.power)),
      fbUsed: sum(rs.map((r) => r.fbUsed)),
      fbTotal: sum(rs.map((r) => (r.fbUsed ?? 0) + (r.fbFree ?? 0))),
      lastAt: rs.reduce<Date | null>((m, r) => (m === null || r.at > m ? r.at : m), null),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Current per-host, per-project and per-session averages over the latest sample of each GPU. */
export function overviewOf(rows: LatestGpuSample[]) {
  return {
    hosts: group(rows, (r) => [r.agentId, r.agentId]),
    projects: group(rows, (r) => [r.projectId, r.projectName]),
    sessions: group(rows, (r) => [r.sessionId, r.sessionName]).map((g) => ({ ...g, project: rows.find((r) => r.sessionId === g.id)!.projectName, hosts: [...new Set(rows.filter((r) => r.sessionId === g.id).map((r) => r.agentId))] })),
  };
}
