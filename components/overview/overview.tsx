"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader, PageHeader } from "@/components/ui/card";
import { QueryState } from "@/components/ui/query-state";

function Stat({ label, value, href, hint }: { label: string; value: number | string; href?: string; hint?: string }) {
  const body = (
    <Card className="h-full transition-colors hover:border-accent/50">
      <CardBody>
        <div className="text-sm text-muted-fg">{label}</div>
        <div className="mt-1 text-3xl font-semibold tabular-nums">{value}</div>
        {hint ? <div className="mt-1 text-xs text-muted-fg">{hint}</div> : null}
      </CardBody>
    </Card>
  );
  return href ? <Link href={href}>{body}</Link> : body;
}

const sum = (o: Record<string, number> | null | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);

export function Overview() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const ov = useQuery(trpc.overview.get.queryOptions(undefined, { refetchInterval: 10_000 }));
  const o = ov.data;
  return (
    <>
      <PageHeader title={`Welcome${me.data ? `, ${me.data.name.split(" ")[0]}` : ""}`} description="Isolated GPU sessions in Kata VMs: whole GPUs by VFIO passthrough, fenced by Calico, watched by in-guest DCGM." />
      <QueryState isLoading={ov.isLoading} error={ov.error}>
        {o ? (
          <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
            {o.hosts ? <Stat label="Hosts alive" value={`${o.hosts.ALIVE ?? 0} / ${sum(o.hosts)}`} href="/hosts" hint={o.hosts.LOST ? `${o.hosts.LOST} lost` : "none lost"} /> : null}
            {o.gpus ? <Stat label="GPUs ready for passthrough" value={`${o.gpus.ready ?? 0} / ${sum(o.gpus)}`} href="/hosts" hint={o.gpus.unsafe_group ? `${o.gpus.unsafe_group} in unsafe IOMMU groups` : undefined} /> : null}
            {o.liveSessions ? <Stat label="Live sessions" value={sum(o.liveSessions)} href="/sessions" hint={o.liveSessions.PENDING ? `${o.liveSessions.PENDING} pending` : undefined} /> : null}
            <Stat label="My projects" value={o.myProjects} href={me.data?.role === "admin" ? "/admin/projects" : "/projects"} />
          </div>
        ) : null}
      </QueryState>
      {me.data ? (
        <Card className="mt-6">
          <CardHeader title="What you can do here" />
          <CardBody className="text-sm text-muted-fg">
            {me.data.role === "admin" ? (
              <p>You administer the GPU hosts: register and drain hosts, judge their IOMMU topology, manage users, projects, resource groups and quotas, and see every session.</p>
            ) : me.data.role === "auditor" ? (
              <p>You can read everything — hosts, sessions, network policy, metrics and the audit trail — and verify the audit hash chain. Changes are refused for your role.</p>
            ) : me.data.memberships.length ? (
              <p>
                You launch isolated GPU sessions in {me.data.memberships.map((m) => `${m.projectName} (${m.role})`).join(", ")}. Start from <Link className="text-accent underline" href="/sessions">Sessions</Link>.
              </p>
            ) : (
              <p>You are not in any project yet. Ask an admin or a project owner to add you to one.</p>
            )}
          </CardBody>
        </Card>
      ) : null}
    </>
  );
}
