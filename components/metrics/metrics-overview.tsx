"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { Activity } from "lucide-react";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, EmptyState, PageHeader } from "@/components/ui/card";
import { StatusBadge } from "@/components/ui/badge";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { timeAgo } from "@/lib/utils";
import { gpusOf } from "@/components/common/slots";

export function MetricsOverview() {
  const trpc = useTRPC();
  const sessions = useQuery(trpc.sessions.list.queryOptions({ status: "live" }, { refetchInterval: 10_000 }));
  const withGpus = (sessions.data ?? []).filter((s) => gpusOf(s.requestedSlots) > 0);

  return (
    <>
      <PageHeader title="GPU metrics" description="Utilisation, memory, temperature, power and XID errors of the GPUs in each session, from the DCGM exporter inside its VM." />
      <Card className="mb-6">
        <CardBody className="flex gap-4 text-sm">
          <Activity className="mt-0.5 h-6 w-6 shrink-0 text-accent" aria-hidden />
          <p className="text-muted-fg">
            A GPU passed through to a VM is invisible to the host, so its metrics come from a DCGM exporter running inside that VM. Charts appear here for each session once
            its exporter has been scraped; until then a session is listed without numbers rather than with invented ones.
          </p>
        </CardBody>
      </Card>
      <Card>
        <QueryState isLoading={sessions.isLoading} error={sessions.error}>
          {withGpus.length === 0 ? (
            <EmptyState title="No live sessions with GPUs.">
              GPU metrics appear here once a session with GPUs is RUNNING; they are scraped from the DCGM exporter inside each VM.
            </EmptyState>
          ) : (
            <Table>
              <caption className="sr-only">Live sessions with GPUs</caption>
              <thead>
                <tr>
                  <Th>Session</Th>
                  <Th>Project</Th>
                  <Th>Status</Th>
                  <Th className="text-right">GPUs</Th>
                  <Th>Metrics</Th>
                  <Th>Created</Th>
                </tr>
              </thead>
              <tbody>
                {withGpus.map((s) => {
                  const g = gpusOf(s.requestedSlots);
                  return (
                    <Tr key={s.id}>
                      <Td>
                        <Link href={`/sessions/${s.id}`} className="font-medium text-accent hover:underline">
                          {s.name}
                        </Link>
                      </Td>
                      <Td>{s.project.name}</Td>
                      <Td>
                        <StatusBadge status={s.status} />
                      </Td>
                      <Td className="text-right tabular-nums">{s.clusterSize > 1 ? `${g} × ${s.clusterSize} VMs` : g}</Td>
                      <Td className="text-muted-fg">{s.status === "RUNNING" ? "waiting for the first scrape" : "starts when the session is RUNNING"}</Td>
                      <Td className="whitespace-nowrap">{timeAgo(s.createdAt)}</Td>
                    </Tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </>
  );
}
