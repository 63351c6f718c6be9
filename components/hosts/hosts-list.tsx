"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatTime, timeAgo } from "@/lib/utils";
import { Dash, Muted } from "@/components/common/bits";
import { CONFIDENTIAL_LABEL } from "./labels";
import { preflightSummary } from "./preflight";

/** "11 pass · 1 warn", with a danger badge when any check failed; the title names what did not pass. */
function PreflightCell({ computePlugins }: { computePlugins: unknown }) {
  const pf = preflightSummary(computePlugins);
  if (!pf) return <Muted>no report</Muted>;
  const { pass, warn, fail } = pf.counts;
  const notPassing = pf.checks.filter((c) => c.status !== "pass").map((c) => `${c.status}: ${c.title}`);
  const title = [`Checked ${formatTime(new Date(pf.checkedAtMs))}`, ...notPassing].join("\n");
  return (
    <span className="flex flex-wrap items-center gap-x-1.5 gap-y-1 text-sm whitespace-nowrap tabular-nums" title={title}>
      {fail ? <Badge tone="danger">{fail} fail</Badge> : null}
      <span>
        {pass} pass
        {warn ? <span className="text-warn"> · {warn} warn</span> : null}
      </span>
    </span>
  );
}

export function HostsList() {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions(undefined, { refetchInterval: 10_000 }));
  const rows = hosts.data ?? [];
  return (
    <>
      <PageHeader
        title="Hosts"
        description="GPU hosts (agents) that have joined this console, with what each can offer for VFIO passthrough into Kata VMs."
      />
      <Card>
        <QueryState isLoading={hosts.isLoading} error={hosts.error}>
          {rows.length === 0 ? (
            <EmptyState title="No hosts have joined yet.">
              Start an agent with <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">npm run agent -- --config agent.toml</code> (see{" "}
              <code className="font-mono text-xs">docs/agent-config.md</code>); simulated hosts start with{" "}
              <code className="rounded bg-muted px-1 py-0.5 font-mono text-xs">npm start</code>.
            </EmptyState>
          ) : (
            <Table className="[&_td]:px-3 [&_th]:px-3">
              <caption className="sr-only">Registered hosts</caption>
              <thead>
                <tr>
                  <Th>Host</Th>
                  <Th>Status</Th>
                  <Th>Backend</Th>
                  <Th>Resource group</Th>
                  <Th className="text-right whitespace-nowrap">GPUs ready</Th>
                  <Th>Models</Th>
                  <Th>Hypervisor</Th>
                  <Th>Confidential</Th>
                  <Th>IOMMU</Th>
                  <Th>Preflight</Th>
                  <Th>Heartbeat</Th>
                </tr>
              </thead>
              <tbody>
                {rows.map((h) => (
                  <Tr key={h.id}>
                    <Td>
                      <Link href={`/hosts/${encodeURIComponent(h.id)}`} className="font-medium text-accent hover:underline">
                        {h.id}
                      </Link>
                      <div className="font-mono text-xs text-muted-fg">{h.address}</div>
                    </Td>
                    <Td>
                      <div className="flex flex-wrap gap-1">
                        <StatusBadge status={h.status} />
                        {!h.schedulable ? <Badge tone="warn">unschedulable</Badge> : null}
                      </div>
                      {h.statusReason ? <div className="mt-1 max-w-56 text-xs text-muted-fg">{h.statusReason}</div> : null}
                    </Td>
                    <Td>{h.backend}</Td>
                    <Td className="whitespace-nowrap">{h.resourceGroup?.name ?? <Muted>none</Muted>}</Td>
                    <Td className="text-right tabular-nums whitespace-nowrap">
                      {h.gpuCount === 0 ? (
                        <Muted>no GPUs</Muted>
                      ) : (
                        <span className={h.gpuReady < h.gpuCount ? "text-warn" : undefined}>
                          {h.gpuReady} / {h.gpuCount}
                        </span>
                      )}
                    </Td>
                    <Td>{h.gpuModels.length ? h.gpuModels.join(", ") : <Dash />}</Td>
                    <Td className="whitespace-nowrap">{h.hypervisor ?? <Dash />}</Td>
                    <Td>
                      {h.confidentialCapability === "none" ? <Muted>none</Muted> : <Badge tone="accent">{CONFIDENTIAL_LABEL[h.confidentialCapability] ?? h.confidentialCapability}</Badge>}
                    </Td>
                    <Td>{h.iommuEnabled ? <Badge tone="ok">on</Badge> : <Badge tone="danger">off</Badge>}</Td>
                    <Td>
                      <PreflightCell computePlugins={h.computePlugins} />
                    </Td>
                    <Td className="whitespace-nowrap">
                      <time dateTime={h.lastHeartbeatAt ? new Date(h.lastHeartbeatAt).toISOString() : undefined} title={formatTime(h.lastHeartbeatAt)}>
                        {timeAgo(h.lastHeartbeatAt)}
                      </time>
                    </Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </>
  );
}
