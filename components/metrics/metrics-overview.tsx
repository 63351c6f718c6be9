"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { useMe } from "@/components/common/use-me";
import { timeAgo } from "@/lib/utils";
import { AlertsTable } from "./alerts-table";
import { fmtC, fmtMiB, fmtW, orDash } from "./format";

function UtilBar({ value }: { value: number | null }) {
  if (value === null) return <span className="text-muted-fg">—</span>;
  const v = Math.max(0, Math.min(100, value));
  return (
    <span className="inline-flex items-center gap-2">
      <span className="relative h-2 w-24 overflow-hidden rounded-full bg-muted" aria-hidden>
        <span className="absolute inset-y-0 left-0 rounded-full bg-accent" style={{ width: `${v}%` }} />
      </span>
      <span className="w-10 text-right tabular-nums">{Math.round(v)} %</span>
    </span>
  );
}

type Group = { id: string; name: string; gpus: number; sessions: number; util: number | null; temp: number | null; maxTemp: number | null; power: number; fbUsed: number; fbTotal: number; lastAt: Date | null };

function GroupTable({ caption, first, rows, link }: { caption: string; first: string; rows: Group[]; link?: (g: Group) => string | null }) {
  return (
    <Table>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          <Th>{first}</Th>
          <Th className="text-right">GPUs</Th>
          <Th className="text-right">Sessions</Th>
          <Th>Avg. utilization</Th>
          <Th className="text-right">Memory used</Th>
          <Th className="text-right">Temp. avg / max</Th>
          <Th className="text-right">Power</Th>
          <Th>Last sample</Th>
        </tr>
      </thead>
      <tbody>
        {rows.map((g) => {
          const href = link?.(g) ?? null;
          return (
            <Tr key={g.id}>
              <Td className="font-medium whitespace-nowrap">
                {href ? (
                  <Link href={href} className="text-accent hover:underline">
                    {g.name}
                  </Link>
                ) : (
                  g.name
                )}
              </Td>
              <Td className="text-right tabular-nums">{g.gpus}</Td>
              <Td className="text-right tabular-nums">{g.sessions}</Td>
              <Td>
                <UtilBar value={g.util} />
              </Td>
              <Td className="text-right tabular-nums whitespace-nowrap">
                {fmtMiB(g.fbUsed)} <span className="text-muted-fg">/ {fmtMiB(g.fbTotal)}</span>
              </Td>
              <Td className="text-right tabular-nums whitespace-nowrap">
                {orDash(g.temp, fmtC)} <span className="text-muted-fg">/ {orDash(g.maxTemp, fmtC)}</span>
              </Td>
              <Td className="text-right tabular-nums">{fmtW(g.power)}</Td>
              <Td className="whitespace-nowrap text-muted-fg">{g.lastAt ? timeAgo(g.lastAt) : "—"}</Td>
            </Tr>
          );
        })}
      </tbody>
    </Table>
  );
}

export function MetricsOverview() {
  const trpc = useTRPC();
  const { can } = useMe();
  const overview = useQuery(trpc.metrics.overview.queryOptions(undefined, { refetchInterval: 5_000 }));
  const alerts = useQuery(trpc.metrics.alerts.queryOptions({ limit: 50 }, { refetchInterval: 10_000 }));
  const o = overview.data;
  const seesHosts = can("hosts.read");
  const noGpus = (
    <EmptyState title="No GPUs are reporting right now.">
      Numbers appear here within one scrape interval of a session with GPUs becoming RUNNING (15 s by default, 5 s on simulated hosts). They come from the DCGM exporter inside each VM:
      a GPU passed through to a VM is invisible to the host.
    </EmptyState>
  );

  return (
    <>
      <PageHeader
        title="GPU metrics"
        description={
          <>
            Current utilization, memory, temperature and power of the GPUs in running sessions{seesHosts ? "" : " of your projects"}, from the DCGM exporter inside each VM; averaged over each
            GPU&apos;s latest sample. Open a session for its charts. Prometheus can scrape the same series at <code className="font-mono text-xs">/metrics/prometheus</code>.
          </>
        }
      />
      <div className="grid gap-6">
        <Card>
          <CardHeader title="Sessions" description="Running sessions with GPUs reporting. Open one for per-GPU charts." />
          <QueryState isLoading={overview.isLoading} error={overview.error}>
            {o && o.sessions.length ? (
              <Table>
                <caption className="sr-only">Sessions with GPU metrics</caption>
                <thead>
                  <tr>
                    <Th>Session</Th>
                    <Th>Project</Th>
                    <Th>Host</Th>
                    <Th className="text-right">GPUs</Th>
                    <Th>Avg. utilization</Th>
                    <Th className="text-right">Memory used</Th>
                    <Th className="text-right">Temp. max</Th>
                    <Th className="text-right">Power</Th>
                  </tr>
                </thead>
                <tbody>
                  {o.sessions.map((s) => (
                    <Tr key={s.id}>
                      <Td>
                        <Link href={`/sessions/${s.id}`} className="font-medium text-accent hover:underline">
                          {s.name}
                        </Link>
                      </Td>
                      <Td>{s.project}</Td>
                      <Td className="font-mono text-xs">{s.hosts.join(", ")}</Td>
                      <Td className="text-right tabular-nums">{s.gpus}</Td>
                      <Td>
                        <UtilBar value={s.util} />
                      </Td>
                      <Td className="text-right tabular-nums whitespace-nowrap">
                        {fmtMiB(s.fbUsed)} <span className="text-muted-fg">/ {fmtMiB(s.fbTotal)}</span>
                      </Td>
                      <Td className="text-right tabular-nums">{orDash(s.maxTemp, fmtC)}</Td>
                      <Td className="text-right tabular-nums">{fmtW(s.power)}</Td>
                    </Tr>
                  ))}
                </tbody>
              </Table>
            ) : (
              noGpus
            )}
          </QueryState>
        </Card>

        <Card>
          <CardHeader title="GPU alerts" description="Xid errors, ECC and NVLink error counters, thermal and power anomalies, and the crash-loop guard (3 critical alerts on one GPU within 10 minutes quarantine it)." />
          <QueryState isLoading={alerts.isLoading} error={alerts.error}>
            {alerts.data && alerts.data.length ? (
              <AlertsTable alerts={alerts.data} />
            ) : (
              <EmptyState title="No GPU alerts.">Alerts appear here when a health rule fires on a GPU of a session you can see.</EmptyState>
            )}
          </QueryState>
        </Card>

        <div className="grid gap-6">
          <Card>
            <CardHeader title="By host" description={seesHosts ? "Every host with GPUs in running sessions." : "Hosts running your projects' sessions."} />
            <QueryState isLoading={overview.isLoading} error={overview.error}>
              {o && o.hosts.length ? <GroupTable caption="GPU metrics by host" first="Host" rows={o.hosts} link={seesHosts ? (g) => `/hosts/${encodeURIComponent(g.id)}` : undefined} /> : noGpus}
            </QueryState>
          </Card>
          <Card>
            <CardHeader title="By project" />
            <QueryState isLoading={overview.isLoading} error={overview.error}>
              {o && o.projects.length ? <GroupTable caption="GPU metrics by project" first="Project" rows={o.projects} /> : noGpus}
            </QueryState>
          </Card>
        </div>
      </div>
    </>
  );
}
