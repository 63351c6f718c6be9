/**
 * npm run bench -- scheduler [hosts=1000] [sessions=10000] [batch=off] [batchSize=32] [batchMs=10] [compare]
 * A fresh embedded PostgreSQL with one resource group of simulated 8-GPU hosts (two PCIe switches of
 * four, two NUMA nodes, all passthrough-ready) and a queue of PENDING sessions of mixed sizes. The
 * real scheduler (scheduleOnce: sequencer + topology-aware selectHosts + one reservation transaction
 * per session) runs pass after pass until nothing more can be placed. The baseline, in the same run
 * on an identical copy of the database, is plain first-fit through the same scheduleOnce pipeline
 * (same loading, same reservation transaction): the first host with enough free GPUs and room, its
 * first free GPUs, no locality. Reservations are batched (scheduleOnce's default); `batch=off` reserves
 * one session per transaction, `batchSize=` / `batchMs=` tune the batches, and `compare` adds a third
 * column: the topology scheduler unbatched, on a third copy, with a check that both topology runs made
 * exactly the same placements.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { startEmbedded } from "../server/db/embedded.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import { freePort } from "../test/free-port.ts";
import type { ScheduleDecision, ScheduleOptions } from "../server/controller/scheduler.ts";
import type { KernelPlacement, PlacementHost, SelectHostsResult, SessionRequest } from "../server/domain/placement/select-hosts.ts";
import { isEligibleGpu, type Locality } from "../server/domain/placement/choose-gpus.ts";

const GiB = 1024 ** 3;
const HOST_CPU = 224;
const HOST_MEM = 2048 * GiB;
/** Share of the queue per GPU count; the queue asks for about three times the GPUs there are. */
const MIX: [gpus: number, weight: number][] = [
  [0, 15],
  [1, 30],
  [2, 25],
  [4, 20],
  [8, 10],
];

function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Deterministic PRNG (mulberry32), so every run asks for the same queue. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function sessionSlots(gpus: number) {
  return gpus === 0 ? { cpu: 4, mem: 16 * GiB, "cuda.device": 0 } : { cpu: 16 * gpus, mem: 96 * GiB * gpus, "cuda.device": gpus };
}

export async function fill(client: pg.Client, hosts: number, sessions: number): Promise<Record<number, number>> {
  await client.query(`INSERT INTO users (id, name, email, "updatedAt") VALUES ('u-bench', 'Bench', 'bench@hypercell.local', now())`);
  const project = (await client.query<{ id: string }>(`INSERT INTO projects (id, name, "updatedAt") VALUES (gen_random_uuid(), 'bench', now()) RETURNING id`)).rows[0]!.id;
  const rg = (
    await client.query<{ id: string }>(
      `INSERT INTO resource_groups (id, name, backend, scheduler, "agentSelection", "updatedAt") VALUES (gen_random_uuid(), 'gpu-kata', 'kata', 'fifo', 'dispersed', now()) RETURNING id`,
    )
  ).rows[0]!.id;
  await client.query(
    `INSERT INTO agents (id, backend, address, "resourceGroupId", "availableSlots", "computePlugins", "lastHeartbeatAt", "updatedAt")
     SELECT 'host-' || lpad(i::text, 4, '0'), 'kata', '10.0.' || (i / 250) || '.' || (i % 250) || ':6001', $1::uuid, $2::jsonb, $3::jsonb, now(), now()
     FROM generate_series(0, $4::int - 1) AS i`,
    [rg, JSON.stringify({ cpu: HOST_CPU, mem: HOST_MEM, "cuda.device": 8 }), JSON.stringify({ kata: { vmOverheadMb: 2048, maxGpusPerVm: 8 } }), hosts],
  );
  // An HGX-like PCIe layout without NVSwitch: GPUs 0-3 under the switch at 15:00.0 on NUMA 0, 4-7 under 95:00.0 on NUMA 1.
  await client.query(
    `INSERT INTO gpus (id, "agentId", "pciAddress", model, "memoryBytes", "numaNode", "iommuGroupNumber", driver, passthrough, reasons, "pcieSwitch")
     SELECT gen_random_uuid(), a.id, '0000:' || to_hex(CASE WHEN g < 4 THEN 24 + g * 16 ELSE 152 + (g - 4) * 16 END) || ':00.0', 'H100 80GB', 85899345920,
            CASE WHEN g < 4 THEN 0 ELSE 1 END, 100 + g, 'vfio-pci', 'ready', '{}', CASE WHEN g < 4 THEN '0000:15:00.0' ELSE '0000:95:00.0' END
     FROM agents a CROSS JOIN generate_series(0, 7) AS g`,
  );
  const rand = rng(1051);
  const total = MIX.reduce((a, [, w]) => a + w, 0);
  const sizes: number[] = [];
  const counts: Record<number, number> = {};
  for (let i = 0; i < sessions; i++) {
    let r = rand() * total;
    const size = MIX.find(([, w]) => (r -= w) < 0)?.[0] ?? 0;
    sizes.push(size);
    counts[size] = (counts[size] ?? 0) + 1;
  }
  const t0 = Date.now() - sessions * 10;
  await client.query(
    `INSERT INTO sessions (id, name, "projectId", "ownerId", "resourceGroupId", image, "requestedSlots", "createdAt", "updatedAt")
     SELECT gen_random_uuid(), 'bench-' || s.i, $1::uuid, 'u-bench', $2::uuid, 'cr.hypercell.local/pytorch:24.05', s.slots, to_timestamp(($3::bigint + s.i * 10) / 1000.0), now()
     FROM unnest($4::int[], $5::jsonb[]) WITH ORDINALITY AS s(n, slots, i)`,
    [project, rg, t0, sizes, sizes.map((n) => JSON.stringify(sessionSlots(n)))],
  );
  await client.query(`INSERT INTO kernels (id, "sessionId", image, "requestedSlots") SELECT gen_random_uuid(), id, image, "requestedSlots" FROM sessions`);
  await client.query("ANALYZE");
  return counts;
}

/** Plain first-fit: the first host (in the order loaded) with enough free GPUs and room, its first free GPUs. */
function firstFit(hosts: readonly PlacementHost[], request: SessionRequest, options: { resourceGroup: string; backend: string }): SelectHostsResult {
  const n = request.kernel.gpus;
  const placements: KernelPlacement[] = [];
  for (const h of hosts) {
    if (placements.length === request.clusterSize) break;
    if (h.status !== "ALIVE" || !h.schedulable || h.backend !== options.backend || n > h.maxGpusPerVm) continue;
    const free = h.gpus.filter(isEligibleGpu);
    if (free.length < n || h.capacity.gpus - h.occupied.gpus < n) continue;
    if (h.capacity.cpu - h.occupied.cpu < request.kernel.cpu || h.capacity.memBytes - h.occupied.memBytes < request.kernel.memBytes + h.vmOverheadBytes) continue;
    const gpus = free.slice(0, n);
    // Not chosen for it, but recorded honestly so the two runs can be compared.
    const locality: Locality = n < 2 ? "spread" : new Set(gpus.map((g) => g.pcieSwitch)).size === 1 ? "pcie-switch" : new Set(gpus.map((g) => g.numaNode)).size === 1 ? "numa" : "spread";
    placements.push({
      clusterIdx: placements.length,
      hostId: h.id,
      gpus: gpus.map((g) => ({ address: g.address, iommuGroup: g.iommuGroup! })),
      locality,
      nics: [],
      reserve: { cpu: request.kernel.cpu, memBytes: request.kernel.memBytes + h.vmOverheadBytes, gpus: n },
    });
  }
  if (placements.length < request.clusterSize) return { ok: false, reason: `no host in ${options.resourceGroup} has ${n} free GPUs and room` };
  return { ok: true, placements };
}

type RunFigures = {
  passes: number;
  placed: number;
  firstPassMs: number;
  totalMs: number;
  placedMs: number[];
  waitingMs: number[];
  gpusAllocated: number;
  multiGpuKernels: number;
  oneSwitch: number;
  oneNuma: number;
  hostsUsed: number;
};

async function runScheduler(url: string, place: ScheduleOptions["place"] | undefined, tuning: Pick<ScheduleOptions, "batch" | "batchSize" | "batchMs">): Promise<RunFigures> {
  const { createDb } = await import("../server/db.ts");
  const { scheduleOnce } = await import("../server/controller/scheduler.ts");
  const db = createDb(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Warm the pool and Prisma's query engine so the first decision does not pay for connecting.
    await db.session.count();
    const f: RunFigures = { passes: 0, placed: 0, firstPassMs: 0, totalMs: 0, placedMs: [], waitingMs: [], gpusAllocated: 0, multiGpuKernels: 0, oneSwitch: 0, oneNuma: 0, hostsUsed: 0 };
    const onDecision = (d: ScheduleDecision) => (d.outcome === "scheduled" ? f.placedMs : f.waitingMs).push(d.ms);
    for (;;) {
      const t = performance.now();
      const r = await scheduleOnce(db, new Date(), { onDecision, place, ...tuning });
      const ms = performance.now() - t;
      f.passes++;
      f.totalMs += ms;
      if (f.passes === 1) f.firstPassMs = ms;
      f.placed += r.scheduled.length;
      if (r.scheduled.length === 0 || f.passes >= 20) break;
    }
    const q = await client.query<{ gpus: number; kernels: number; one_switch: number; one_numa: number; hosts: number }>(`
      WITH k AS (
        SELECT a."kernelId", count(*)::int AS n, count(DISTINCT g."pcieSwitch")::int AS switches, count(DISTINCT g."numaNode")::int AS numas
        FROM allocations a JOIN gpus g ON g.id = a."gpuId" WHERE a."releasedAt" IS NULL GROUP BY a."kernelId")
      SELECT coalesce(sum(n), 0)::int AS gpus,
             count(*) FILTER (WHERE n >= 2)::int AS kernels,
             count(*) FILTER (WHERE n >= 2 AND switches = 1)::int AS one_switch,
             count(*) FILTER (WHERE n >= 2 AND numas = 1)::int AS one_numa,
             (SELECT count(DISTINCT "agentId") FROM kernels WHERE status = 'SCHEDULED')::int AS hosts
      FROM k`);
    const row = q.rows[0]!;
    Object.assign(f, { gpusAllocated: row.gpus, multiGpuKernels: row.kernels, oneSwitch: row.one_switch, oneNuma: row.one_numa, hostsUsed: row.hosts });
    return f;
  } finally {
    await client.end();
    await db.$disconnect();
  }
}

/** Every live reservation: session → its kernels' hosts and GPUs, for comparing two runs. */
async function placements(url: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; status: string; placed: string | null }>(`
      SELECT s.id, s.status, s."pendingReason" AS reason,
             (SELECT string_agg(k."clusterIdx" || '@' || coalesce(k."agentId", '-') || ':' ||
                     coalesce((SELECT string_agg(g."pciAddress", ',' ORDER BY g."pciAddress") FROM allocations a JOIN gpus g ON g.id = a."gpuId" WHERE a."kernelId" = k.id AND a."releasedAt" IS NULL), ''), ';' ORDER BY k."clusterIdx")
              FROM kernels k WHERE k."sessionId" = s.id) AS placed
      FROM sessions s`);
    return new Map(rows.map((r) => [r.id, JSON.stringify(r)]));
  } finally {
    await client.end();
  }
}

export async function main(argv: string[]) {
  const positional = argv.filter((a) => !a.includes("=") && a !== "compare");
  const named = Object.fromEntries(argv.filter((a) => a.includes("=")).map((a) => a.split("=", 2) as [string, string]));
  const compare = argv.includes("compare");
  const tuning: Pick<ScheduleOptions, "batch" | "batchSize" | "batchMs"> = {
    batch: named.batch !== "off",
    ...(named.batchSize ? { batchSize: Number(named.batchSize) } : {}),
    ...(named.batchMs ? { batchMs: Number(named.batchMs) } : {}),
  };
  const hosts = Number(positional[0] ?? 1000);
  const sessions = Number(positional[1] ?? 10_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-bench-"));
  chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
  const pgServer = await startEmbedded({ dataDir: path.join(dir, "pg"), port: await freePort(), database: "bench", quiet: true });
  try {
    await applyMigrations(pgServer.url);
    const client = new pg.Client({ connectionString: pgServer.url });
    await client.connect();
    const t = Date.now();
    const counts = await fill(client, hosts, sessions);
    await client.end();
    console.log(
      `filled ${hosts.toLocaleString()} hosts × 8 GPUs and ${sessions.toLocaleString()} PENDING sessions in ${((Date.now() - t) / 1000).toFixed(1)} s; ` +
        `queue by GPUs: ${MIX.map(([n]) => `${n}→${counts[n] ?? 0}`).join(", ")}`,
    );
    // Two identical copies, one per contender, so neither sees the other's reservations.
    const admin = new pg.Client({ connectionString: pgServer.url.replace(/\/bench(\?|$)/, "/postgres$1") });
    await admin.connect();
    const copy = async (name: string) => {
      await admin.query(`CREATE DATABASE ${name} TEMPLATE bench`);
      return pgServer.url.replace(/\/bench(\?|$)/, `/${name}$1`);
    };
    const topoUrl = await copy("bench_topology");
    const ffUrl = await copy("bench_first_fit");
    const unbatchedUrl = compare ? await copy("bench_unbatched") : null;
    await admin.end();

    const topo = await runScheduler(topoUrl, undefined, tuning);
    const ff = await runScheduler(ffUrl, firstFit, tuning);
    const unbatched = unbatchedUrl ? await runScheduler(unbatchedUrl, undefined, { batch: false }) : null;
    let same = "";
    if (unbatchedUrl) {
      const [a, b] = [await placements(topoUrl), await placements(unbatchedUrl)];
      const differ = [...a].filter(([id, v]) => b.get(id) !== v).length + [...b.keys()].filter((id) => !a.has(id)).length;
      same = differ === 0 ? `identical: every one of ${a.size} sessions has the same status, pending reason, hosts and GPUs` : `${differ} of ${a.size} sessions DIFFER`;
    }

    const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(2)} ms` : "—");
    const rate = (f: RunFigures) => (f.placed / (f.firstPassMs / 1000)).toFixed(0);
    const share = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : "—");
    const rows: string[][] = [
      ["sessions placed", String(topo.placed), String(ff.placed)],
      ["GPUs allocated", `${topo.gpusAllocated} / ${hosts * 8}`, `${ff.gpusAllocated} / ${hosts * 8}`],
      ["hosts used", String(topo.hostsUsed), String(ff.hostsUsed)],
      ["passes to quiescence", String(topo.passes), String(ff.passes)],
      ["first pass (places all it can)", `${(topo.firstPassMs / 1000).toFixed(2)} s`, `${(ff.firstPassMs / 1000).toFixed(2)} s`],
      ["all passes", `${(topo.totalMs / 1000).toFixed(2)} s`, `${(ff.totalMs / 1000).toFixed(2)} s`],
      ["placements/s (first pass)", rate(topo), rate(ff)],
      ["decision p50, placed", ms(pct(topo.placedMs, 50)), ms(pct(ff.placedMs, 50))],
      ["decision p99, placed", ms(pct(topo.placedMs, 99)), ms(pct(ff.placedMs, 99))],
      ["decision p50, all", ms(pct([...topo.placedMs, ...topo.waitingMs], 50)), ms(pct([...ff.placedMs, ...ff.waitingMs], 50))],
      ["decision p99, all", ms(pct([...topo.placedMs, ...topo.waitingMs], 99)), ms(pct([...ff.placedMs, ...ff.waitingMs], 99))],
      ["decision p99, left waiting", ms(pct(topo.waitingMs, 99)), ms(pct(ff.waitingMs, 99))],
      ["≥2-GPU kernels under one PCIe switch", share(topo.oneSwitch, topo.multiGpuKernels), share(ff.oneSwitch, ff.multiGpuKernels)],
      ["≥2-GPU kernels on one NUMA node", share(topo.oneNuma, topo.multiGpuKernels), share(ff.oneNuma, ff.multiGpuKernels)],
    ];
    console.log(`\nscheduleOnce until nothing more can be placed; decision = picking a session → its reservation committed or refused.`);
    console.log(
      `reservations: ${tuning.batch ? `batched (≤ ${tuning.batchSize ?? 32} sessions or ${tuning.batchMs ?? 10} ms per transaction, a savepoint each)` : "one transaction per session"}.`,
    );
    console.log(`target: ≥ 500 placements/s, p99 < 50 ms (scheduleOnce, placed).\n`);
    if (unbatched) {
      const u = unbatched;
      const col = [String(u.placed), `${u.gpusAllocated} / ${hosts * 8}`, String(u.hostsUsed), String(u.passes), `${(u.firstPassMs / 1000).toFixed(2)} s`, `${(u.totalMs / 1000).toFixed(2)} s`, rate(u),
        ms(pct(u.placedMs, 50)), ms(pct(u.placedMs, 99)), ms(pct([...u.placedMs, ...u.waitingMs], 50)), ms(pct([...u.placedMs, ...u.waitingMs], 99)), ms(pct(u.waitingMs, 99)),
        share(u.oneSwitch, u.multiGpuKernels), share(u.oneNuma, u.multiGpuKernels)];
      rows.forEach((r, i) => r.push(col[i]!));
    }
    const w0 = Math.max(...rows.map((r) => r[0]!.length)) + 2;
    const heads = ["scheduleOnce (topology)", "first-fit baseline", ...(unbatched ? ["topology, unbatched"] : [])];
    const widths = [24, 20, 22];
    console.log("".padEnd(w0), ...heads.map((h, i) => h.padStart(widths[i]!)));
    for (const [name, ...cells] of rows) console.log(name!.padEnd(w0), ...cells.map((c, i) => c.padStart(widths[i]!)));
    if (same) console.log(`\ntopology batched vs unbatched: ${same}.`);
  } finally {
    await pgServer.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
