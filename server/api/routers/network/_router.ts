/**
 * The Network page: the Calico policy Hypercell renders from the live sessions in the database, the
 * reachability matrix it yields (evaluated the way Calico does) with the policy and rule that decided
 * each cell, the isolation verdict, each session's objects as YAML, and drift against the datastore.
 *
 * Policy is rendered for EVERY live session (isolation depends on everyone's policy), but a caller
 * sees only the sessions of projects where they hold network.read (admins and auditors: all).
 */
import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, projectScope, type AuthedContext } from "../shared";
import { projectsWith } from "../../../authz/permissions";
import { AppError } from "../../../errors";
import { LIVE_SESSION_STATUSES } from "../../../domain/sessions/status";
import { SIMULATED_POOL } from "../../../domain/network/tenancy-from-db";
import { findIsolationViolations } from "../../../domain/network/isolation";
import { ENDPOINT_INTERFACE, ENDPOINT_NAMESPACE, etcdEndpointsFrom, loadPolicyState } from "../../../network/expected-policy";
import { describeDecision, type Decision, type ReachabilityMatrix } from "../../../domain/network/reachability";
import { allObjects, policyNames, sortResources, toYaml, workloadEndpointName, type RenderedPolicy } from "../../../domain/network/render-policy";
import { LABEL_OWNER_SESSION, LABEL_SESSION_ID, refOf, refString, type CalicoResource, type ResourceRef } from "../../../domain/network/types";
import { etcdKey } from "../../../agent/drivers/network/calico-keys";
import type { DriftReport, NetworkPolicyStore } from "../../../agent/drivers/network/network-policy-store";

/** At most this many sessions in the matrix (cells grow with the square); the rest are listed, not drawn. */
const MATRIX_SESSION_LIMIT = 60;

// ---------------------------------------------------------------- loading

async function loadLive(ctx: AuthedContext) {
  const controller = process.env.HYPERCELL_CONTROLLER_LISTEN ?? "127.0.0.1:6000";
  const { sessions, fromDb, tenancy, rendered, matrix } = await loadPolicyState(ctx.db, controller);
  const scope = projectsWith(ctx.actor, "network.read");
  const visible = (projectId: string) => scope === "all" || scope.includes(projectId);
  const seesHosts = projectsWith(ctx.actor, "hosts.read") === "all";
  // Hosts the caller may name: all for those who read hosts, else the ones running their VMs.
  const visibleHosts = new Set(
    seesHosts ? fromDb.agents.map((a) => a.host) : sessions.filter((s) => visible(s.projectId)).flatMap((s) => s.kernels.flatMap((k) => (k.agentId ? [fromDb.members.get(k.id)?.host ?? k.agentId] : []))),
  );
  return { sessions, fromDb, tenancy, rendered, matrix, scope, visible, seesHosts, visibleHosts };
}

type Live = Awaited<ReturnType<typeof loadLive>>;

function endpointId(host: string, kernelId: string): string {
  return `${ENDPOINT_NAMESPACE}/${workloadEndpointName(host, kernelId, ENDPOINT_INTERFACE)}`;
}

// ---------------------------------------------------------------- shapes for the UI

export interface DecisionView {
  action: "Allow" | "Deny";
  direction: "ingress" | "egress";
  reason: Decision["reason"];
  tier: string | null;
  policy: string | null;
  ruleIndex: number | null;
  ruleLabel: string | null;
  text: string;
}

function decisionView(d: Decision): DecisionView {
  return {
    action: d.action,
    direction: d.direction,
    reason: d.reason,
    tier: d.tier ?? null,
    policy: d.policy ? `${d.policyNamespace ? `${d.policyNamespace}/` : ""}${d.policy}` : null,
    ruleIndex: d.ruleIndex ?? null,
    ruleLabel: d.ruleLabel ?? null,
    text: describeDecision(d),
  };
}

class DecisionTable {
  readonly list: DecisionView[] = [];
  private readonly ids = new Map<string, number>();
  id(d: Decision): number {
    const v = decisionView(d);
    const key = JSON.stringify(v);
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.list.length;
      this.list.push(v);
      this.ids.set(key, id);
    }
    return id;
  }
}

function probeKey(p: { protocol: string; port: number }): string {
  return `${p.protocol}/${p.port}`;
}

function buildOverview(live: Live) {
  const { sessions, fromDb, tenancy, matrix, visible } = live;
  const index = new Map(matrix.endpoints.map((e) => [e.id, e.index]));
  const inTenancy = new Set(tenancy.sessions.map((s) => s.id));
  const visibleRows = sessions
    .filter((s) => visible(s.projectId))
    .sort((a, b) => a.projectName.localeCompare(b.projectName) || a.name.localeCompare(b.name) || (a.id < b.id ? -1 : 1));

  const sessionViews = visibleRows.map((s) => {
    const members = [...s.kernels]
      .sort((a, b) => a.clusterIdx - b.clusterIdx)
      .map((k) => {
        const m = fromDb.members.get(k.id);
        return {
          kernelId: k.id,
          clusterRole: k.clusterRole,
          clusterHostname: k.clusterHostname,
          host: k.agentId,
          address: m?.ip ?? null,
          endpoint: m ? workloadEndpointName(m.host, m.kernelId, ENDPOINT_INTERFACE) : null,
        };
      });
    return {
      id: s.id,
      name: s.name,
      status: s.status,
      project: { id: s.projectId, name: s.projectName },
      resourceGroup: s.resourceGroupName,
      placed: inTenancy.has(s.id),
      members,
    };
  });

  const drawn = sessionViews.filter((s) => s.placed).slice(0, MATRIX_SESSION_LIMIT);
  const memberIdx = new Map(
    drawn.map((s) => [s.id, s.members.flatMap((m) => (m.endpoint ? [index.get(`${ENDPOINT_NAMESPACE}/${m.endpoint}`)!] : [])).filter((i) => i !== undefined)]),
  );
  const decisions = new DecisionTable();
  const ports = matrix.probes.map((p) => ({ key: probeKey(p), protocol: p.protocol, port: p.port, name: p.name ?? null }));
  const cells: {
    from: string;
    to: string;
    port: string;
    /** Member pairs (VM → VM, each VM's own traffic to itself excluded) and how many are allowed. */
    pairs: number;
    allowedPairs: number;
    /** true when every pair is allowed, false when none is; "mixed" otherwise (never by design). */
    allowed: boolean | "mixed";
    /** Index into decisions: what settled it (the first deny, else the allow), and each direction. */
    decidedBy: number | null;
    egress: number | null;
    ingress: number | null;
  }[] = [];
  for (const a of drawn) {
    for (const b of drawn) {
      for (let p = 0; p < matrix.probes.length; p++) {
        let pairs = 0;
        let ok = 0;
        let shown: ReturnType<ReachabilityMatrix["verdict"]> | null = null;
        for (const i of memberIdx.get(a.id)!) {
          for (const j of memberIdx.get(b.id)!) {
            if (i === j) continue;
            pairs++;
            const v = matrix.verdict(i, j, p);
            if (v.allowed) ok++;
            // Explain the first denied pair if any (the interesting one), else the first pair.
            if (!shown || (shown.allowed && !v.allowed)) shown = v;
          }
        }
        cells.push({
          from: a.id,
          to: b.id,
          port: ports[p]!.key,
          pairs,
          allowedPairs: ok,
          allowed: pairs === 0 ? true : ok === pairs ? true : ok === 0 ? false : "mixed",
          decidedBy: shown ? decisions.id(shown.decidedBy) : null,
          egress: shown ? decisions.id(shown.egress) : null,
          ingress: shown ? decisions.id(shown.ingress) : null,
        });
      }
    }
  }

  // The verdict covers every cell of every live session (and the agents, controllers and the
  // internet): isolation holds only if it holds for everyone. Endpoints the caller may not see are
  // named only as "a session in another project".
  const violationsRaw = findIsolationViolations(tenancy, matrix, 50);
  const names = new Map<string, string>();
  for (const s of sessions) {
    for (const k of s.kernels) {
      const m = fromDb.members.get(k.id);
      if (m) names.set(endpointId(m.host, m.kernelId), visible(s.projectId) ? `${s.name}/${k.clusterHostname}` : "a session in another project");
    }
  }
  const violations = violationsRaw.map((v) => ({
    from: names.get(v.src) ?? v.src,
    to: names.get(v.dst) ?? v.dst,
    port: v.probe,
    expected: v.expected,
    why: v.why,
    actual: live.scope === "all" ? v.actual : v.actual.replace(/allow-intra-session-[0-9a-f-]+/g, "allow-intra-session-…"),
  }));
  const workloads = matrix.workloadCount;
  const checkedCells = (matrix.endpoints.length ** 2 - (matrix.endpoints.length - workloads) ** 2) * matrix.probes.length;

  return {
    generatedAt: new Date(),
    addressing: {
      simulated: true,
      pool: SIMULATED_POOL,
      note: `No Calico IPAM is connected, so each VM's address is simulated: the one Calico IPAM would hand out from ${SIMULATED_POOL}, derived from the kernel id.`,
    },
    ports,
    sessions: sessionViews,
    matrix: {
      sessions: drawn.map((s) => s.id),
      truncated: sessionViews.filter((s) => s.placed).length > drawn.length ? { shown: drawn.length, total: sessionViews.filter((s) => s.placed).length } : null,
      decisions: decisions.list,
      cells,
    },
    isolation: {
      ok: violationsRaw.length === 0,
      // Counts over everyone's VMs would tell an owner how busy other projects are: admins/auditors only.
      endpoints: live.scope === "all" ? workloads : null,
      peers: live.scope === "all" ? matrix.endpoints.length - workloads : null,
      checkedCells: live.scope === "all" ? checkedCells : null,
      violations,
      skipped: matrix.skipped.length,
    },
    // Host addresses are for those who may read hosts; others see only the hosts their VMs run on (above).
    controlPlane: {
      agents: live.seesHosts ? fromDb.agents.map((a) => ({ id: a.id, address: a.address, ip: a.ip, note: a.note ?? null })) : [],
      controllers: fromDb.controllers,
      ports: tenancy.controlPlane.ports,
    },
    // Rendered for every live session, but counted only for what the caller may see.
    renderedFor: live.scope === "all" ? "every live session" : "every live session (including those in projects you cannot see)",
  };
}

export type NetworkOverview = ReturnType<typeof buildOverview>;

// ---------------------------------------------------------------- datastore (drift / repair)

function etcdEndpoints(): string[] | null {
  return etcdEndpointsFrom(process.env.HYPERCELL_CALICO_ETCD_ENDPOINTS);
}

async function openStore(endpoints: string[]): Promise<NetworkPolicyStore> {
  // Loaded only when a datastore is configured, so a console without one never opens etcd's gRPC.
  const { EtcdCalicoStore } = await import("../../../agent/drivers/network/etcd-calico-store");
  return new EtcdCalicoStore({ endpoints });
}

/** The session an object belongs to (its labels, or the name of a per-session policy); null for shared ones. */
function sessionOfObject(r: CalicoResource | undefined, ref: ResourceRef): string | null {
  const label = r?.metadata.labels?.[LABEL_SESSION_ID] ?? r?.metadata.labels?.[LABEL_OWNER_SESSION];
  if (label) return label;
  const prefix = policyNames.intraSession("");
  if (ref.kind === "GlobalNetworkPolicy" && ref.name.startsWith(prefix)) return ref.name.slice(prefix.length);
  return null;
}

/** Calico node of a WorkloadEndpoint: spec.node, else the name's first segment (dashes inside it are doubled). */
function hostOfEndpoint(r: CalicoResource | undefined, ref: ResourceRef): string | null {
  if (ref.kind !== "WorkloadEndpoint") return null;
  if (r?.kind === "WorkloadEndpoint" && r.spec.node) return r.spec.node;
  const m = /^((?:[^-]|--)+)-/.exec(ref.name);
  return m ? m[1]!.replace(/--/g, "-") : null;
}

function driftByHost(report: DriftReport, expected: readonly CalicoResource[], live: Live) {
  const byRef = new Map(expected.map((r) => [refString(refOf(r)), r]));
  const projectOf = new Map(live.sessions.map((s) => [s.id, s.projectId]));
  const agentOfHost = new Map(live.fromDb.agents.map((a) => [a.host, a.id]));
  type Group = { missing: string[]; extra: string[]; changed: { object: string; fields: string[] }[] };
  const groups = new Map<string, Group>();
  let hidden = 0;
  const add = (ref: ResourceRef, actual: CalicoResource | undefined, put: (g: Group, name: string) => void) => {
    const name = refString(ref);
    const obj = byRef.get(name) ?? actual;
    const session = sessionOfObject(obj, ref);
    if (live.scope !== "all") {
      const project = session ? projectOf.get(session) : undefined;
      // Objects of other projects' sessions, or of sessions no longer in the database, stay hidden.
      if (session && (!project || !live.visible(project))) {
        hidden++;
        return;
      }
    }
    const host = hostOfEndpoint(obj, ref) ?? "(cluster-wide: tiers and policies)";
    let g = groups.get(host);
    if (!g) groups.set(host, (g = { missing: [], extra: [], changed: [] }));
    put(g, name);
  };
  for (const r of report.missing) add(r, undefined, (g, n) => g.missing.push(n));
  for (const r of report.extra) add(r, undefined, (g, n) => g.extra.push(n));
  for (const c of report.changed) add(c.ref, c.actual, (g, n) => g.changed.push({ object: n, fields: c.fields }));
  const hosts = new Set<string>([...live.visibleHosts, ...groups.keys()]);
  return {
    hosts: [...hosts].sort().map((host) => {
      const g = groups.get(host) ?? { missing: [], extra: [], changed: [] };
      const inSync = g.missing.length + g.extra.length + g.changed.length === 0;
      return { host, agentId: agentOfHost.get(host) ?? null, status: inSync ? ("in sync" as const) : ("drift" as const), ...g };
    }),
    unreadable: live.scope === "all" ? report.unreadable.map((u) => `${u.key}: ${u.error}`) : [],
    hiddenObjects: hidden,
    inSync: report.inSync,
  };
}

function expectedObjects(rendered: RenderedPolicy): CalicoResource[] {
  return allObjects(rendered);
}

// ---------------------------------------------------------------- router

export const networkRouter = router({
  /** Sessions, the reachability matrix between them with explanations, and the isolation verdict. */
  overview: procedure("network.read").query(async ({ ctx }) => buildOverview(await loadLive(ctx))),

  /** What would be written to the Calico datastore for one session (its own objects and the shared ones it needs), as YAML. */
  sessionPolicies: procedure("network.read")
    .input(z.object({ sessionId: z.string().max(128) }))
    .query(async ({ ctx, input }) => {
      const notFound = () => new AppError("NOT_FOUND", "No such session, or it belongs to a project you are not in.");
      if (!z.uuid().safeParse(input.sessionId).success) throw notFound();
      const s = await ctx.db.session.findFirst({ where: { id: input.sessionId, ...projectScope(ctx, "network.read") }, select: { id: true, name: true, status: true } });
      if (!s) throw notFound();
      if (!(LIVE_SESSION_STATUSES as readonly string[]).includes(s.status)) {
        throw new AppError("PRECONDITION_FAILED", `Session ${s.name} has ended (${s.status.toLowerCase()}); its policies are removed from the datastore, so there is nothing to show.`);
      }
      const live = await loadLive(ctx);
      const bundle = live.rendered.sessions.find((b) => b.sessionId === s.id);
      if (!bundle) {
        throw new AppError("PRECONDITION_FAILED", `Session ${s.name} is not placed on a host yet; its policy is rendered once the scheduler places its VMs.`);
      }
      const owned = new Set(bundle.owned);
      const objects = sortResources([...bundle.shared, ...bundle.owned]);
      const yaml = `# Calico objects for session ${s.name} (${s.id}); apply in this order\n${toYaml(objects, (o) => `${etcdKey(refOf(o))}  (${owned.has(o) ? "owned by the session" : "shared"})`)}`;
      return {
        sessionId: s.id,
        name: s.name,
        yaml,
        objects: objects.map((o) => ({ kind: o.kind, name: o.metadata.name, key: etcdKey(refOf(o)), owned: owned.has(o) })),
      };
    }),

  /** Per host: does the Calico datastore hold what it should? Honest "none configured" when there is no datastore. */
  drift: procedure("network.read").query(async ({ ctx }) => {
    const live = await loadLive(ctx);
    const endpoints = etcdEndpoints();
    const expected = expectedObjects(live.rendered);
    if (!endpoints) {
      return {
        datastore: "none configured" as const,
        message:
          "No Calico datastore is configured (HYPERCELL_CALICO_ETCD_ENDPOINTS is unset), so nothing is written and there is nothing to compare. The policies are rendered and their isolation verified here.",
        expectedObjects: live.scope === "all" ? expected.length : null,
        hosts: live.fromDb.agents.filter((a) => live.visibleHosts.has(a.host)).map((a) => ({ host: a.host, agentId: a.id, status: "not checked" as const, missing: [] as string[], extra: [] as string[], changed: [] as { object: string; fields: string[] }[] })),
        unreadable: [] as string[],
        hiddenObjects: 0,
        inSync: null,
        checkedAt: new Date(),
      };
    }
    const store = await openStore(endpoints);
    try {
      const report = await store.diff(expected);
      return {
        datastore: "etcd" as const,
        message: `Compared with the Calico etcd datastore at ${endpoints.join(", ")}.`,
        expectedObjects: live.scope === "all" ? expected.length : null,
        ...driftByHost(report, expected, live),
        checkedAt: new Date(),
      };
    } finally {
      await store.close().catch(() => undefined);
    }
  }),

  /** Re-applies the rendered policy: writes missing and changed objects, deletes extra ones. */
  repair: procedure("network.manage").mutation(({ ctx }) =>
    mutate(ctx, { action: "network.repair", targetType: "network" }, async () => {
      const endpoints = etcdEndpoints();
      if (!endpoints) {
        throw new AppError(
          "PRECONDITION_FAILED",
          "There is no Calico datastore to re-apply to: set HYPERCELL_CALICO_ETCD_ENDPOINTS (e.g. http://10.0.0.5:2379) to let Hypercell write policy to Calico's etcd.",
        );
      }
      const live = await loadLive(ctx);
      const expected = expectedObjects(live.rendered);
      const store = await openStore(endpoints);
      try {
        const r = await store.repair(expected);
        const written = r.written.map(refString);
        const deleted = r.deleted.map(refString);
        return { result: { written, deleted }, after: { written: written.length, deleted: deleted.length, datastore: endpoints.join(",") } };
      } finally {
        await store.close().catch(() => undefined);
      }
    }),
  ),
});

