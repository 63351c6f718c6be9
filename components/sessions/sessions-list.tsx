"use client";
import { useState } from "react";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { QueryState } from "@/components/ui/query-state";
import { Select } from "@/components/ui/input";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatBytes, formatTime, timeAgo } from "@/lib/utils";
import { Muted, Segmented } from "@/components/common/bits";
import { asSlots } from "@/components/common/slots";
import { useMe } from "@/components/common/use-me";
import { LaunchSessionButton } from "./launch-dialog";
import { useSessionChanges } from "./use-session-changes";
import { TerminateButton, isTerminatable } from "./terminate-button";

type Filter = "live" | "ended" | "all";
/** The statuses sessions are seen in, in the order they go through them. */
const LIVE = ["PENDING", "SCHEDULED", "PREPARING", "PULLING", "CREATING", "RUNNING", "TERMINATING"] as const;
const ENDED = ["TERMINATED", "ERROR", "CANCELLED"] as const;

export function SessionsList() {
  const trpc = useTRPC();
  const { can } = useMe();
  const [status, setStatusFilter] = useState<Filter>("live");
  const [exactStatus, setExactStatus] = useState("");
  const setStatus = (f: Filter) => {
    setStatusFilter(f);
    setExactStatus("");
  };
  const statusChoices = status === "live" ? LIVE : status === "ended" ? ENDED : [...LIVE, ...ENDED];
  const [projectId, setProjectId] = useState("");
  const [resourceGroupId, setResourceGroupId] = useState("");
  const [agentId, setAgentId] = useState("");
  const projects = useQuery(trpc.projects.list.queryOptions());
  const groups = useQuery(trpc.resourceGroups.list.queryOptions());
  const hostsInUse = useQuery(trpc.sessions.hostsInUse.queryOptions());
  useSessionChanges();
  const sessions = useQuery(
    trpc.sessions.list.queryOptions(
      { status, exactStatus: (exactStatus || undefined) as (typeof LIVE)[number] | (typeof ENDED)[number] | undefined, projectId: projectId || undefined, resourceGroupId: resourceGroupId || undefined, agentId: agentId || undefined },
      { refetchInterval: 15_000 }, // fallback; changes are pushed (useSessionChanges)
    ),
  );
  const rows = sessions.data ?? [];
  const mayLaunch = can("sessions.create");
  const anyTerminate = can("sessions.terminate");

  return (
    <>
      <PageHeader
        title="Sessions"
        description="Each session is one or more Kata VMs with whole GPUs passed through. Status changes appear as they happen."
        actions={mayLaunch ? <LaunchSessionButton /> : null}
      />
      <div className="mb-4 flex flex-wrap items-center gap-3">
        <Segmented
          name="session-status"
          label="Show sessions"
          value={status}
          onChange={setStatus}
          options={[
            { value: "live", label: "Live" },
            { value: "ended", label: "Ended" },
            { value: "all", label: "All" },
          ]}
        />
        <div className="flex items-center gap-2">
          <label htmlFor="session-exact-status" className="text-sm text-muted-fg">
            Status
          </label>
          <Select id="session-exact-status" className="h-8 w-40" value={exactStatus} onChange={(e) => setExactStatus(e.target.value)}>
            <option value="">Any</option>
            {statusChoices.map((st) => (
              <option key={st} value={st}>
                {st}
              </option>
            ))}
          </Select>
        </div>
        {(projects.data?.length ?? 0) > 1 ? (
          <div className="flex items-center gap-2">
            <label htmlFor="session-project" className="text-sm text-muted-fg">
              Project
            </label>
            <Select id="session-project" className="h-8 w-48" value={projectId} onChange={(e) => setProjectId(e.target.value)}>
              <option value="">All projects</option>
              {projects.data?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </div>
        ) : null}
        {(groups.data?.length ?? 0) > 1 ? (
          <div className="flex items-center gap-2">
            <label htmlFor="session-group" className="text-sm text-muted-fg">
              Resource group
            </label>
            <Select id="session-group" className="h-8 w-44" value={resourceGroupId} onChange={(e) => setResourceGroupId(e.target.value)}>
              <option value="">All groups</option>
              {groups.data?.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </Select>
          </div>
        ) : null}
        {(hostsInUse.data?.length ?? 0) > 0 ? (
          <div className="flex items-center gap-2">
            <label htmlFor="session-host" className="text-sm text-muted-fg">
              Host
            </label>
            <Select id="session-host" className="h-8 w-40" value={agentId} onChange={(e) => setAgentId(e.target.value)}>
              <option value="">All hosts</option>
              {hostsInUse.data?.map((h) => (
                <option key={h} value={h}>
                  {h}
                </option>
              ))}
            </Select>
          </div>
        ) : null}
        {sessions.isFetching && !sessions.isLoading ? (
          <span className="text-xs text-muted-fg" aria-hidden>
            refreshing…
          </span>
        ) : null}
      </div>
      <Card>
        <QueryState isLoading={sessions.isLoading} error={sessions.error}>
          {rows.length === 0 ? (
            <EmptyState
              title={status === "live" ? "No live sessions." : status === "ended" ? "No ended sessions." : "No sessions yet."}
              action={mayLaunch ? <LaunchSessionButton /> : null}
            >
              {mayLaunch
                ? status === "ended"
                  ? "Sessions you terminate, or that finish or fail, are listed here."
                  : "Launch one to get an isolated VM with whole GPUs; it starts as PENDING until the scheduler finds a host."
                : can("sessions.read")
                  ? "Sessions of the projects you can see appear here once someone launches one."
                  : "You are not in any project yet. Ask a project owner or an admin to add you to one."}
            </EmptyState>
          ) : (
            <Table>
              <caption className="sr-only">Sessions</caption>
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Project · owner</Th>
                  <Th className="whitespace-nowrap">Resource group</Th>
                  <Th>Status</Th>
                  <Th className="text-right">GPUs</Th>
                  <Th className="text-right">vCPU</Th>
                  <Th className="text-right">Memory</Th>
                  <Th className="text-right">VMs</Th>
                  <Th>Created</Th>
                  {anyTerminate ? (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((s) => {
                  const slots = asSlots(s.requestedSlots);
                  return (
                    <Tr key={s.id}>
                      <Td>
                        <Link href={`/sessions/${s.id}`} className="font-medium text-accent hover:underline">
                          {s.name}
                        </Link>
                        <div className="flex items-center gap-1.5 text-xs text-muted-fg">
                          {s.type}
                          {s.confidential ? <Badge className="px-1.5 py-0 text-[10px]">confidential</Badge> : null}
                        </div>
                      </Td>
                      <Td className="max-w-56">
                        <div className="whitespace-nowrap">{s.project.name}</div>
                        <div className="truncate text-xs text-muted-fg" title={s.owner.email}>
                          {s.owner.email}
                        </div>
                      </Td>
                      <Td className="whitespace-nowrap">{s.resourceGroup.name}</Td>
                      <Td className="min-w-48">
                        <StatusBadge status={s.status} />
                        {s.pendingReason ? <div className="mt-1 max-w-56 text-xs text-muted-fg">{s.pendingReason}</div> : null}
                        {!s.pendingReason && s.statusInfo && s.status !== "RUNNING" ? <div className="mt-1 max-w-56 text-xs text-muted-fg">{s.statusInfo}</div> : null}
                      </Td>
                      <Td className="text-right tabular-nums">{slots["cuda.device"] ?? 0}</Td>
                      <Td className="text-right tabular-nums">{slots.cpu ?? <Muted>—</Muted>}</Td>
                      <Td className="text-right tabular-nums whitespace-nowrap">{formatBytes(slots.mem)}</Td>
                      <Td className="text-right tabular-nums">{s.clusterSize}</Td>
                      <Td className="whitespace-nowrap">
                        <time dateTime={new Date(s.createdAt).toISOString()} title={formatTime(s.createdAt)}>
                          {timeAgo(s.createdAt)}
                        </time>
                      </Td>
                      {anyTerminate ? (
                        <Td className="text-right">{can("sessions.terminate", s.project.id) && isTerminatable(s.status) ? <TerminateButton session={s} /> : null}</Td>
                      ) : null}
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
