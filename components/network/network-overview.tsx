"use client";
import * as React from "react";
import Link from "next/link";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { Check, Copy, FileCode2, ShieldAlert, ShieldCheck, X } from "lucide-react";
import { useTRPC } from "@/trpc/react";
import type { AppRouter } from "@/server/api/root";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { ConfirmDialog } from "@/components/common/dialogs";
import { Muted } from "@/components/common/bits";
import { useMe } from "@/components/common/use-me";
import { cn, timeAgo } from "@/lib/utils";

type Out = inferRouterOutputs<AppRouter>["network"];
type Overview = Out["overview"];
type Drift = Out["drift"];
type Decision = Overview["matrix"]["decisions"][number];
type Cell = Overview["matrix"]["cells"][number];
type SessionView = Overview["sessions"][number];

const ALL = "all";

/** A policy name without its tier prefix, which the tier column already says. */
function shortPolicy(d: Decision): string {
  if (!d.policy) return d.reason === "end-of-tier" ? `end of tier ${d.tier}` : d.reason === "profile" ? "profile default" : d.reason;
  return d.tier && d.policy.startsWith(`${d.tier}.`) ? d.policy.slice(d.tier.length + 1) : d.policy;
}

function decisionLine(d: Decision): string {
  if (d.reason !== "rule") return d.text;
  return `${d.action} by ${shortPolicy(d)} (tier ${d.tier}), ${d.direction} rule ${d.ruleIndex}${d.ruleLabel ? ` “${d.ruleLabel}”` : ""}`;
}

type Verdict = "allowed" | "denied" | "mixed" | "none";

function verdictOf(cells: Cell[]): Verdict {
  const real = cells.filter((c) => c.pairs > 0);
  if (real.length === 0) return "none";
  if (real.every((c) => c.allowed === true)) return "allowed";
  if (real.every((c) => c.allowed === false)) return "denied";
  return "mixed";
}

const VERDICT_STYLE: Record<Verdict, string> = {
  allowed: "border-ok/40 bg-ok/15 text-ok hover:bg-ok/25",
  denied: "border-danger/40 bg-danger/15 text-danger hover:bg-danger/25",
  mixed: "border-warn/40 bg-warn/15 text-warn hover:bg-warn/25",
  none: "border-border bg-muted text-muted-fg hover:bg-muted/70",
};

const VERDICT_TEXT: Record<Verdict, string> = { allowed: "allowed", denied: "denied", mixed: "some allowed", none: "one VM" };

function portLabel(p: Overview["ports"][number]): string {
  return `${p.key}${p.name ? ` · ${p.name}` : ""}`;
}

// ---------------------------------------------------------------- page

export function NetworkOverview() {
  const trpc = useTRPC();
  const { can } = useMe();
  const overview = useQuery(trpc.network.overview.queryOptions(undefined, { refetchInterval: 10_000 }));
  const data = overview.data;
  const placed = data?.sessions.filter((s) => s.placed) ?? [];
  const waiting = data?.sessions.filter((s) => !s.placed) ?? [];

  return (
    <>
      <PageHeader
        title="Network isolation"
        description="Hypercell renders Calico policy from the live sessions and evaluates it the way Calico does: between sessions nothing, inside a session everything, agents only on the control ports."
      />
      <QueryState isLoading={overview.isLoading} error={overview.error}>
        {data && data.sessions.length === 0 ? (
          <Card>
            <EmptyState
              title="No live sessions, so there is no network to fence."
              action={
                can("sessions.create") ? (
                  <Link href="/sessions" className="rounded text-sm text-accent underline">
                    Launch a session
                  </Link>
                ) : null
              }
            >
              Launch a session: its VMs get their own Calico policy, and this page shows what can reach what, and why.
            </EmptyState>
          </Card>
        ) : data ? (
          <div className="grid gap-6">
            <VerdictBanner data={data} />
            {placed.length > 0 ? <MatrixCard data={data} /> : null}
            <SessionsCard sessions={data.sessions} note={data.addressing.note} />
            {waiting.length > 0 ? (
              <p className="text-sm text-muted-fg">
                {waiting.length} session{waiting.length === 1 ? " is" : "s are"} not placed on a host yet ({waiting.map((s) => s.name).join(", ")}); a VM gets its endpoint and policy once it has a host.
              </p>
            ) : null}
            <DriftCard />
          </div>
        ) : null}
      </QueryState>
    </>
  );
}

// ---------------------------------------------------------------- verdict

function VerdictBanner({ data }: { data: Overview }) {
  const iso = data.isolation;
  if (iso.ok) {
    return (
      <Card className="border-ok/40" role="status" aria-live="polite">
        <CardBody className="flex gap-3">
          <ShieldCheck className="mt-0.5 h-6 w-6 shrink-0 text-ok" aria-hidden />
          <div className="grid gap-1 text-sm">
            <p className="font-semibold text-ok">Isolated: no path between sessions; every path inside each session.</p>
            <p className="text-muted-fg">
              {iso.checkedCells !== null && iso.endpoints !== null && iso.peers !== null
                ? `Checked ${iso.checkedCells.toLocaleString()} connections: ${iso.endpoints} VM${iso.endpoints === 1 ? "" : "s"} of ${data.renderedFor} and ${iso.peers} other address${iso.peers === 1 ? "" : "es"} (agents, controller, the internet) on ${data.ports.length} ports.`
                : `Checked every connection between the VMs of ${data.renderedFor}, the agents, the controller and the internet, on ${data.ports.length} ports.`}{" "}
              Agents reach only the control and exporter ports; sessions never reach agents or the controller.
            </p>
            {data.controlPlane.agents.length > 0 ? (
              <p className="text-xs text-muted-fg">
                Control plane in the policy:{" "}
                {data.controlPlane.agents.map((a) => `${a.id} ${a.ip ?? "(no IPv4 address: not allowed in)"}`).join(", ")}
                {data.controlPlane.controllers.length ? `; controller ${data.controlPlane.controllers.join(", ")}` : ""}.
              </p>
            ) : null}
          </div>
        </CardBody>
      </Card>
    );
  }
  return (
    <Card className="border-danger/40" role="alert">
      <CardBody className="grid gap-3">
        <div className="flex gap-3">
          <ShieldAlert className="mt-0.5 h-6 w-6 shrink-0 text-danger" aria-hidden />
          <p className="text-sm font-semibold text-danger">
            Not isolated as designed: {iso.violations.length}
            {iso.violations.length >= 50 ? "+" : ""} connection{iso.violations.length === 1 ? "" : "s"} disagree with the isolation contract.
          </p>
        </div>
        <ul className="grid gap-1.5 pl-9 text-sm">
          {iso.violations.map((v, i) => (
            <li key={i}>
              <span className="font-medium">
                {v.from} → {v.to}
              </span>{" "}
              <span className="font-mono text-xs">{v.port}</span>: expected {v.expected} ({v.why}), got {v.actual}
            </li>
          ))}
        </ul>
      </CardBody>
    </Card>
  );
}

// ---------------------------------------------------------------- matrix

function MatrixCard({ data }: { data: Overview }) {
  const [port, setPort] = React.useState<string>(ALL);
  const [selected, setSelected] = React.useState<{ from: string; to: string } | null>(null);
  const byId = new Map(data.sessions.map((s) => [s.id, s]));
  const rows = data.matrix.sessions.map((id) => byId.get(id)!).filter(Boolean);
  const cellsOf = React.useMemo(() => {
    const m = new Map<string, Cell[]>();
    for (const c of data.matrix.cells) {
      const k = `${c.from}|${c.to}`;
      const list = m.get(k) ?? [];
      list.push(c);
      m.set(k, list);
    }
    return m;
  }, [data.matrix.cells]);
  const pick = (from: string, to: string) => (cellsOf.get(`${from}|${to}`) ?? []).filter((c) => port === ALL || c.port === port);
  const multiProject = new Set(rows.map((r) => r.project.id)).size > 1;
  const sel = selected && byId.has(selected.from) && byId.has(selected.to) ? selected : null;

  return (
    <Card>
      <CardHeader
        title="Reachability"
        description="Can the VMs of the row's session open a connection to those of the column's? Select a cell to see which policy and rule decided."
        actions={
          <label className="flex items-center gap-2 text-sm">
            <span className="text-muted-fg">Port</span>
            <select
              className="h-8 rounded-md border border-border bg-card px-2 text-sm focus-visible:outline-2 focus-visible:outline-ring"
              value={port}
              onChange={(e) => setPort(e.target.value)}
            >
              <option value={ALL}>All ports of interest ({data.ports.length})</option>
              {data.ports.map((p) => (
                <option key={p.key} value={p.key}>
                  {portLabel(p)}
                </option>
              ))}
            </select>
          </label>
        }
      />
      <CardBody className="grid gap-4">
        <div className="overflow-x-auto">
          <table className="border-separate border-spacing-1 text-sm">
            <caption className="sr-only">Reachability from each session (rows) to each session (columns), {port === ALL ? "on all ports of interest" : `on ${port}`}</caption>
            <thead>
              <tr>
                <th scope="col" className="px-2 py-1 text-left text-xs font-medium text-muted-fg">
                  from ↓ &nbsp;to →
                </th>
                {rows.map((s) => (
                  <th key={s.id} scope="col" className="max-w-[9rem] px-2 py-1 text-left align-bottom font-medium">
                    <SessionName s={s} showProject={multiProject} />
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((a) => (
                <tr key={a.id}>
                  <th scope="row" className="max-w-[12rem] px-2 py-1 text-left font-medium">
                    <SessionName s={a} showProject={multiProject} />
                  </th>
                  {rows.map((b) => {
                    const cs = pick(a.id, b.id);
                    const v = verdictOf(cs);
                    const first = cs.find((c) => c.pairs > 0 && c.decidedBy !== null && (v !== "mixed" || c.allowed !== true));
                    const why = first ? decisionLine(data.matrix.decisions[first.decidedBy!]!) : "a single VM: nothing to cross inside this session";
                    const isSel = sel?.from === a.id && sel?.to === b.id;
                    return (
                      <td key={b.id} className="p-0">
                        <button
                          type="button"
                          title={why}
                          aria-pressed={isSel}
                          aria-label={`${a.name} to ${b.name}${port === ALL ? "" : ` on ${port}`}: ${VERDICT_TEXT[v]}. ${why}`}
                          onClick={() => setSelected(isSel ? null : { from: a.id, to: b.id })}
                          className={cn(
                            "flex h-10 w-28 items-center justify-center gap-1 rounded-md border text-xs font-semibold transition-colors focus-visible:outline-2 focus-visible:outline-offset-1 focus-visible:outline-ring",
                            VERDICT_STYLE[v],
                            isSel && "ring-2 ring-accent",
                          )}
                        >
                          {v === "allowed" ? <Check className="h-3.5 w-3.5" aria-hidden /> : v === "denied" ? <X className="h-3.5 w-3.5" aria-hidden /> : null}
                          {VERDICT_TEXT[v]}
                        </button>
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {data.matrix.truncated ? (
          <p className="text-xs text-muted-fg">
            Showing the first {data.matrix.truncated.shown} of {data.matrix.truncated.total} sessions; the isolation verdict above covers all of them.
          </p>
        ) : null}
        <div className="flex flex-wrap gap-3 text-xs text-muted-fg">
          <span className="inline-flex items-center gap-1.5">
            <span className="h-3 w-3 rounded-sm border border-ok/40 bg-ok/15" aria-hidden /> allowed on {port === ALL ? "every port" : "this port"}
          </span>
          <span className="inline-flex items-center gap-1.5">
            <span className="h-3 w-3 rounded-sm border border-danger/40 bg-danger/15" aria-hidden /> denied
          </span>
          <span className="inline-flex items-center gap-1.5">
            <span className="h-3 w-3 rounded-sm border border-border bg-muted" aria-hidden /> one VM — nothing to cross
          </span>
        </div>
        {sel ? (
          <Explain data={data} from={byId.get(sel.from)!} to={byId.get(sel.to)!} cells={pick(sel.from, sel.to)} onClose={() => setSelected(null)} />
        ) : (
          <p className="text-sm text-muted-fg">Select a cell to see the deciding tier, policy and rule for each port.</p>
        )}
      </CardBody>
    </Card>
  );
}

function SessionName({ s, showProject }: { s: SessionView; showProject: boolean }) {
  return (
    <span className="grid min-w-0" title={`${s.name} (${s.project.name})`}>
      <span className="truncate">{s.name}</span>
      {showProject ? <span className="truncate text-xs font-normal text-muted-fg">{s.project.name}</span> : null}
    </span>
  );
}

function DecisionCell({ d }: { d: Decision | undefined }) {
  if (!d) return <Muted>—</Muted>;
  if (d.reason !== "rule") return <span className="text-xs">{d.text}</span>;
  return (
    <span className="grid gap-0.5">
      <span className="font-mono text-xs break-all">{shortPolicy(d)}</span>
      <span className="text-xs text-muted-fg">
        tier {d.tier} · {d.direction} rule {d.ruleIndex}
        {d.ruleLabel ? ` · ${d.ruleLabel}` : ""}
      </span>
    </span>
  );
}

function Explain({ data, from, to, cells, onClose }: { data: Overview; from: SessionView; to: SessionView; cells: Cell[]; onClose: () => void }) {
  const portName = new Map(data.ports.map((p) => [p.key, p.name]));
  const same = from.id === to.id;
  const real = cells.filter((c) => c.pairs > 0);
  const uniform = real.length > 1 && real.every((c) => c.decidedBy === real[0]!.decidedBy && c.allowed === real[0]!.allowed) ? real[0]! : null;
  const uniformDecision = uniform && uniform.decidedBy !== null ? data.matrix.decisions[uniform.decidedBy] : undefined;
  return (
    <section aria-label={`Why ${from.name} to ${to.name}`} className="rounded-md border border-border bg-muted/40">
      <div className="flex items-start justify-between gap-3 border-b border-border px-4 py-3">
        <div>
          <h3 className="text-sm font-semibold">
            {from.name} <span className="text-muted-fg">({from.project.name})</span> → {to.name} <span className="text-muted-fg">({to.project.name})</span>
          </h3>
          <p className="mt-0.5 text-xs text-muted-fg">
            {same
              ? "Between the VMs of one session. A connection needs the source VM's egress and the destination VM's ingress to allow it."
              : "From every VM of the first session to every VM of the second. A connection needs the source VM's egress and the destination VM's ingress to allow it; the first deny decides."}
          </p>
        </div>
        <Button variant="ghost" size="icon" onClick={onClose} aria-label="Close the explanation">
          <X className="h-4 w-4" aria-hidden />
        </Button>
      </div>
      {uniformDecision ? (
        <p className="border-b border-border px-4 py-2.5 text-sm">
          <span className={cn("font-semibold", uniform!.allowed === true ? "text-ok" : "text-danger")}>{uniform!.allowed === true ? "Allowed" : "Denied"} on every port</span> by{" "}
          <span className="font-mono text-xs">{uniformDecision.policy ?? uniformDecision.text}</span>
          {uniformDecision.reason === "rule" ? (
            <>
              {" "}
              (tier {uniformDecision.tier}, {uniformDecision.direction} rule {uniformDecision.ruleIndex}
              {uniformDecision.ruleLabel ? ` “${uniformDecision.ruleLabel}”` : ""})
            </>
          ) : null}
          .
        </p>
      ) : null}
      <Table>
        <caption className="sr-only">Decision per port</caption>
        <thead>
          <tr>
            <Th>Port</Th>
            <Th>Result</Th>
            <Th>Decided by</Th>
            <Th>Egress (source VM)</Th>
            <Th>Ingress (destination VM)</Th>
          </tr>
        </thead>
        <tbody>
          {cells.map((c) => (
            <Tr key={c.port}>
              <Td className="whitespace-nowrap">
                <span className="font-mono text-xs">{c.port}</span>
                {portName.get(c.port) ? <span className="block text-xs text-muted-fg">{portName.get(c.port)}</span> : null}
              </Td>
              <Td>
                {c.pairs === 0 ? (
                  <Muted>one VM</Muted>
                ) : c.allowed === true ? (
                  <Badge tone="ok">allowed</Badge>
                ) : c.allowed === false ? (
                  <Badge tone="danger">denied</Badge>
                ) : (
                  <Badge tone="warn">
                    {c.allowedPairs}/{c.pairs} allowed
                  </Badge>
                )}
              </Td>
              <Td>{c.pairs === 0 ? <Muted>nothing to cross</Muted> : <DecisionCell d={c.decidedBy !== null ? data.matrix.decisions[c.decidedBy] : undefined} />}</Td>
              <Td>{c.pairs === 0 ? <Muted>—</Muted> : <DecisionCell d={c.egress !== null ? data.matrix.decisions[c.egress] : undefined} />}</Td>
              <Td>{c.pairs === 0 ? <Muted>—</Muted> : <DecisionCell d={c.ingress !== null ? data.matrix.decisions[c.ingress] : undefined} />}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </section>
  );
}

// ---------------------------------------------------------------- sessions and their YAML

function SessionsCard({ sessions, note }: { sessions: SessionView[]; note: string }) {
  return (
    <Card>
      <CardHeader title="Sessions and their endpoints" description={note} />
      <Table>
        <caption className="sr-only">Live sessions, their VMs and Calico endpoints</caption>
        <thead>
          <tr>
            <Th>Session</Th>
            <Th>Project</Th>
            <Th>Status</Th>
            <Th>VMs (host · address)</Th>
            <Th className="text-right">Policy</Th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((s) => (
            <Tr key={s.id}>
              <Td>
                <Link href={`/sessions/${s.id}`} className="rounded font-medium text-accent hover:underline">
                  {s.name}
                </Link>
                <span className="block text-xs text-muted-fg">{s.resourceGroup}</span>
              </Td>
              <Td>{s.project.name}</Td>
              <Td>
                <StatusBadge status={s.status} />
              </Td>
              <Td>
                <ul className="grid gap-0.5 text-xs">
                  {s.members.map((m) => (
                    <li key={m.kernelId}>
                      <span className="font-medium">{m.clusterHostname}</span>{" "}
                      {m.host ? (
                        <span className="text-muted-fg">
                          on {m.host} · <span className="font-mono">{m.address}</span>
                        </span>
                      ) : (
                        <Muted>not placed yet</Muted>
                      )}
                    </li>
                  ))}
                </ul>
              </Td>
              <Td className="text-right">{s.placed ? <PoliciesButton session={s} /> : <Muted>after placement</Muted>}</Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}

function PoliciesButton({ session }: { session: SessionView }) {
  return (
    <Dialog>
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Policies of session ${session.name}`}>
          <FileCode2 className="h-3.5 w-3.5" aria-hidden /> Policies
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Calico policy for ${session.name}`}
        description="The objects written to the Calico datastore for this session: the shared tiers and policies it depends on, its own intra-session policy and its VMs' endpoint labels. Each comment is the etcd key."
        className="w-[min(94vw,60rem)]"
      >
        <PoliciesBody sessionId={session.id} />
      </DialogContent>
    </Dialog>
  );
}

function PoliciesBody({ sessionId }: { sessionId: string }) {
  const trpc = useTRPC();
  const q = useQuery(trpc.network.sessionPolicies.queryOptions({ sessionId }));
  const [copied, setCopied] = React.useState(false);
  async function copy() {
    if (!q.data) return;
    try {
      await navigator.clipboard.writeText(q.data.yaml);
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch {
      setCopied(false);
    }
  }
  return (
    <QueryState isLoading={q.isLoading} error={q.error}>
      {q.data ? (
        <div className="grid gap-3">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-sm text-muted-fg">
              {q.data.objects.length} objects: {q.data.objects.filter((o) => o.owned).length} owned by the session (removed when it ends), {q.data.objects.filter((o) => !o.owned).length}{" "}
              shared.
            </p>
            <Button variant="secondary" size="sm" onClick={copy}>
              {copied ? <Check className="h-3.5 w-3.5" aria-hidden /> : <Copy className="h-3.5 w-3.5" aria-hidden />}
              {copied ? "Copied" : "Copy YAML"}
            </Button>
          </div>
          <span className="sr-only" role="status" aria-live="polite">
            {copied ? "YAML copied to the clipboard" : ""}
          </span>
          <pre
            tabIndex={0}
            aria-label="Calico objects as YAML"
            className="max-h-[60vh] overflow-auto rounded-md border border-border bg-muted p-3 font-mono text-xs leading-relaxed focus-visible:outline-2 focus-visible:outline-ring"
          >
            {q.data.yaml}
          </pre>
        </div>
      ) : null}
    </QueryState>
  );
}

// ---------------------------------------------------------------- drift

function DriftCard() {
  const trpc = useTRPC();
  const { can } = useMe();
  const queryClient = useQueryClient();
  const drift = useQuery(trpc.network.drift.queryOptions(undefined, { refetchInterval: 30_000 }));
  const repair = useMutation(trpc.network.repair.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.network.pathKey() }) }));
  const d: Drift | undefined = drift.data;
  const configured = d?.datastore === "etcd";
  return (
    <Card>
      <CardHeader
        title="Datastore drift"
        description={d ? (configured ? d.message : "No Calico datastore configured; policies are rendered and verified here.") : "Does Calico's datastore hold what it should?"}
        actions={
          configured && can("network.manage") ? (
            <ConfirmDialog
              trigger={
                <Button variant="secondary" size="sm">
                  Re-apply policy
                </Button>
              }
              title="Re-apply the rendered policy?"
              confirmLabel="Re-apply"
              pendingLabel="Re-applying…"
              onConfirm={() => repair.mutateAsync()}
            >
              Missing and changed objects are written again and objects Hypercell no longer expects are deleted, each session&apos;s objects in one transaction. Objects
              Hypercell does not manage are left alone.
            </ConfirmDialog>
          ) : null
        }
      />
      <QueryState isLoading={drift.isLoading} error={drift.error}>
        {d ? (
          <>
            {!configured ? (
              <CardBody className="text-sm text-muted-fg">
                Nothing is written to Calico yet, so there is nothing to compare: the {d.expectedObjects !== null ? `${d.expectedObjects} ` : ""}objects that should be there are rendered, and their isolation verified,
                on this page. Set <code className="font-mono text-xs">HYPERCELL_CALICO_ETCD_ENDPOINTS</code> to Calico&apos;s etcd and each host&apos;s objects are compared here
                (missing, extra, changed).
              </CardBody>
            ) : null}
            <Table>
              <caption className="sr-only">Drift per host</caption>
              <thead>
                <tr>
                  <Th>Host</Th>
                  <Th>Status</Th>
                  <Th>Missing</Th>
                  <Th>Extra</Th>
                  <Th>Changed</Th>
                </tr>
              </thead>
              <tbody>
                {d.hosts.length === 0 ? (
                  <Tr>
                    <Td colSpan={5}>
                      <Muted>No hosts have joined.</Muted>
                    </Td>
                  </Tr>
                ) : (
                  d.hosts.map((h) => (
                    <Tr key={h.host}>
                      <Td className="font-medium">{h.agentId ?? h.host}</Td>
                      <Td>
                        {h.status === "in sync" ? <Badge tone="ok">in sync</Badge> : h.status === "drift" ? <Badge tone="danger">drift</Badge> : <Badge>not checked</Badge>}
                      </Td>
                      <Td>
                        <RefList items={h.missing} />
                      </Td>
                      <Td>
                        <RefList items={h.extra} />
                      </Td>
                      <Td>
                        <RefList items={h.changed.map((c) => `${c.object} (${c.fields.join(", ")})`)} />
                      </Td>
                    </Tr>
                  ))
                )}
              </tbody>
            </Table>
            <CardBody className="flex flex-wrap gap-x-6 gap-y-1 border-t border-border text-xs text-muted-fg">
              {configured ? <span>Checked {timeAgo(d.checkedAt)}</span> : <span>Hosts are listed as “not checked” until a datastore is configured.</span>}
              {d.hiddenObjects > 0 ? <span>{d.hiddenObjects} differing objects belong to sessions you cannot see.</span> : null}
              {d.unreadable.length > 0 ? <span className="text-danger">{d.unreadable.length} unreadable keys under Calico&apos;s prefixes.</span> : null}
            </CardBody>
          </>
        ) : null}
      </QueryState>
    </Card>
  );
}

function RefList({ items }: { items: string[] }) {
  if (items.length === 0) return <Muted>—</Muted>;
  return (
    <ul className="grid gap-0.5 font-mono text-xs break-all">
      {items.map((x) => (
        <li key={x}>{x}</li>
      ))}
    </ul>
  );
}
