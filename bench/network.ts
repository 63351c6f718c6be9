// npm run bench -- network [--sessions N] [--endpoints M] [--concurrency C] [--naive-samples K]
//
// Renders, writes (to a real etcd this benchmark starts) and verifies Calico policy for N sessions,
// and computes the reachability matrix for M endpoints. Each figure comes with a baseline measured
// in the same run: writing the same objects one key at a time without transactions, and the naive
// pairwise evaluator without precomputed selector matches (timed on a sample, extrapolated).
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { realFixture } from "../test/fixtures";
import { assertValidResources } from "../server/domain/network/calico-schema";
import { externalPeersFor, defaultProbes, findIsolationViolations } from "../server/domain/network/isolation";
import { allObjects, renderPolicy } from "../server/domain/network/render-policy";
import { collectEndpoints, compilePolicies, computeReachabilityCompiled, evaluatePairNaive } from "../server/domain/network/reachability";
import { syntheticTenancy } from "../server/domain/network/sample-tenancy";
import { refOf } from "../server/domain/network/types";
import { etcdKey } from "../server/agent/drivers/network/calico-keys";
import { loadCalicoSchemas } from "../server/agent/drivers/network/calico-crds";
import { EtcdCalicoStore } from "../server/agent/drivers/network/etcd-calico-store";
import { startEtcdServer } from "../server/agent/drivers/network/etcd-server";

async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

function fmt(ms: number): string {
  return ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}

async function pool<T>(items: readonly T[], concurrency: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

export async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      sessions: { type: "string", default: "1000" },
      endpoints: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "16" },
      "naive-samples": { type: "string", default: "20000" },
    },
    strict: true,
  });
  const nSessions = Number(values.sessions);
  const nEndpoints = Number(values.endpoints);
  const concurrency = Number(values.concurrency);
  const naiveSamples = Number(values["naive-samples"]);
  const row = (what: string, figure: string, note = "") => {
    console.log(`  ${what.padEnd(58)} ${figure.padStart(10)}  ${note}`);
  };

  console.log(`network policy benchmark: ${nSessions} sessions, reachability over ${nEndpoints} endpoints`);

  // ---- render + validate
  const tenancy = syntheticTenancy({ sessions: nSessions, seed: 42 });
  const endpointsWritten = tenancy.sessions.reduce((n, s) => n + s.members.length, 0);
  const render = await timed(() => renderPolicy(tenancy));
  const expected = allObjects(render.value);
  row(`render ${nSessions} sessions (${endpointsWritten} endpoints)`, fmt(render.ms), `${expected.length} objects`);
  const compile = await timed(() => loadCalicoSchemas(realFixture("calico", "crd-v3-api")));
  row("compile Calico CRD schemas (tiers, gnp, np)", fmt(compile.ms));
  const validate = await timed(() => assertValidResources(compile.value, expected));
  row(`validate ${expected.length} objects against the CRDs`, fmt(validate.ms));

  // ---- write + verify against a real etcd
  const etcd = await startEtcdServer();
  const store = new EtcdCalicoStore({ endpoints: [etcd.endpoint], timeoutMs: 30_000 });
  try {
    const raw = store.raw;
    const wipe = () => raw.delete().prefix("/calico/");
    const bundles = render.value.sessions;

    // Baseline: the same objects written one key at a time, without transactions (and so without
    // the guarantee that a session's policy and endpoint labels appear together).
    const baseline = await timed(async () => {
      for (const o of expected) await raw.put(etcdKey(refOf(o))).value(JSON.stringify(o));
    });
    row("baseline: same objects, one put per key, no transaction", fmt(baseline.ms), `${expected.length} puts`);
    await wipe();

    const seq = await timed(async () => {
      for (const b of bundles) await store.apply(b);
    });
    row("apply: one transaction per session, sequential", fmt(seq.ms), `${fmt(seq.ms / bundles.length)} per session`);
    await wipe();

    const par = await timed(() => pool(bundles, concurrency, (b) => store.apply(b)));
    row(`apply: one transaction per session, ${concurrency} in flight`, fmt(par.ms), `${fmt(par.ms / bundles.length)} per session`);

    const again = await timed(() => pool(bundles, concurrency, (b) => store.apply(b)));
    row(`re-apply unchanged (reads only), ${concurrency} in flight`, fmt(again.ms));

    const verify = await timed(() => store.diff(expected));
    row(`verify: diff ${expected.length} expected objects with etcd`, fmt(verify.ms), verify.value.inSync ? "in sync" : "DRIFT");
    if (!verify.value.inSync) throw new Error("written policy does not match the rendered policy");

    const victim = bundles[0]!.owned[0]!;
    await raw.delete().key(etcdKey(refOf(victim)));
    const drift = await timed(() => store.diff(expected));
    row("drift: diff after deleting one key by hand", fmt(drift.ms), `missing ${drift.value.missing.map((r) => r.name).join(", ")}`);
    const repair = await timed(() => store.repair(expected));
    row("repair: re-apply what drifted", fmt(repair.ms), `${repair.value.written.length} written`);
  } finally {
    await store.close();
    await etcd.stop();
  }

  // ---- reachability over M endpoints
  const small = syntheticTenancy({ sessions: nEndpoints, maxEndpoints: nEndpoints, seed: 7 });
  const objs = allObjects(renderPolicy(small));
  const probes = defaultProbes(small);
  const model = compilePolicies(objs);
  const set = collectEndpoints(objs, externalPeersFor(small));
  const cells = (set.endpoints.length * set.endpoints.length - (set.endpoints.length - set.workloadCount) ** 2) * probes.length;
  const runs: number[] = [];
  let matrix = computeReachabilityCompiled(model, set, probes, "Deny");
  for (let i = 0; i < 3; i++) {
    const r = await timed(() => computeReachabilityCompiled(model, set, probes, "Deny"));
    runs.push(r.ms);
    matrix = r.value;
  }
  runs.sort((a, b) => a - b);
  row(
    `reachability: ${set.workloadCount} endpoints + ${set.endpoints.length - set.workloadCount} peers × ${probes.length} probes`,
    fmt(runs[1]!),
    `median of 3; ${(cells / 1e6).toFixed(1)} M cells, ${model.tiers.reduce((n, t) => n + t.policies.length, 0)} policies`,
  );
  const check = await timed(() => findIsolationViolations(small, matrix));
  row("isolation check over every cell", fmt(check.ms), `${check.value.length} violations`);

  // Baseline: the naive evaluator on a deterministic sample of cells, extrapolated to the matrix.
  const n = set.endpoints.length;
  let done = 0;
  const naive = await timed(() => {
    for (let i = 0; done < naiveSamples; i++) {
      const s = (i * 7919) % n;
      const d = (i * 104_729 + 13) % n;
      if (s >= set.workloadCount && d >= set.workloadCount) continue;
      evaluatePairNaive(model, set, s, d, probes[i % probes.length]!, "Deny");
      done++;
    }
  });
  const perCell = naive.ms / done;
  row(`baseline: naive pairwise evaluation, ${done} sampled cells`, fmt(naive.ms), `${(perCell * 1000).toFixed(1)} µs per cell`);
  row("baseline: naive, extrapolated to the whole matrix", fmt(perCell * cells), `${((perCell * cells) / runs[1]!).toFixed(0)}× the precomputed evaluator`);
}
