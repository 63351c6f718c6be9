"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { ShieldCheck } from "lucide-react";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { StatusBadge } from "@/components/ui/badge";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { timeAgo } from "@/lib/utils";
import { useMe } from "@/components/common/use-me";

export function NetworkOverview() {
  const trpc = useTRPC();
  const { can } = useMe();
  const sessions = useQuery(trpc.sessions.list.queryOptions({ status: "live" }, { refetchInterval: 10_000 }));
  const byProject = new Map<string, { name: string; rows: NonNullable<typeof sessions.data> }>();
  for (const s of sessions.data ?? []) {
    const g = byProject.get(s.project.id) ?? { name: s.project.name, rows: [] };
    g.rows.push(s);
    byProject.set(s.project.id, g);
  }
  const groups = [...byProject.entries()].sort((a, b) => a[1].name.localeCompare(b[1].name));

  return (
    <>
      <PageHeader title="Network isolation" description="How the VMs of each session are fenced off from everything else." />
      <Card className="mb-6">
        <CardBody className="flex gap-4">
          <ShieldCheck className="mt-0.5 h-6 w-6 shrink-0 text-accent" aria-hidden />
          <div className="grid gap-2 text-sm">
            <p>
              Every session&apos;s VMs sit behind <strong>Calico network policy</strong>. The default is <strong>deny</strong> between sessions — even two sessions of the same
              project cannot reach each other — and <strong>allow</strong> within a session, so the VMs of a multi-node cluster reach one another by hostname (main1, sub1, …).
            </p>
            <p className="text-muted-fg">
              The reachability matrix and the policies rendered for each session appear here once the network agent reports them. Until then this page lists the live
              sessions whose VMs are fenced; it does not claim to have verified anything it has not been told.
            </p>
          </div>
        </CardBody>
      </Card>

      <QueryState isLoading={sessions.isLoading} error={sessions.error}>
        {groups.length === 0 ? (
          <Card>
            <EmptyState
              title="No live sessions, so no fenced networks."
              action={
                can("sessions.create") ? (
                  <Link href="/sessions" className="text-sm text-accent underline">
                    Launch a session
                  </Link>
                ) : null
              }
            >
              Each session you launch gets its own isolated network; it is listed here while it is live.
            </EmptyState>
          </Card>
        ) : (
          <div className="grid gap-6">
            {groups.map(([projectId, g]) => (
              <Card key={projectId}>
                <CardHeader title={g.name} description={`${g.rows.length} live session${g.rows.length === 1 ? "" : "s"}, each in its own network segment`} />
                <Table>
                  <caption className="sr-only">Live sessions of {g.name}</caption>
                  <thead>
                    <tr>
                      <Th>Session</Th>
                      <Th>Status</Th>
                      <Th className="text-right">VMs</Th>
                      <Th>Owner</Th>
                      <Th>Policy</Th>
                      <Th>Created</Th>
                    </tr>
                  </thead>
                  <tbody>
                    {g.rows.map((s) => (
                      <Tr key={s.id}>
                        <Td>
                          <Link href={`/sessions/${s.id}`} className="font-medium text-accent hover:underline">
                            {s.name}
                          </Link>
                        </Td>
                        <Td>
                          <StatusBadge status={s.status} />
                        </Td>
                        <Td className="text-right tabular-nums">{s.clusterSize}</Td>
                        <Td>{s.owner.email}</Td>
                        <Td className="text-muted-fg">not reported yet</Td>
                        <Td className="whitespace-nowrap">{timeAgo(s.createdAt)}</Td>
                      </Tr>
                    ))}
                  </tbody>
                </Table>
              </Card>
            ))}
          </div>
        )}
      </QueryState>
    </>
  );
}
