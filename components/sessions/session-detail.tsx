"use client";
import { KernelDetails } from "./kernel-details";
import { useSessionChanges } from "./use-session-changes";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatTime, timeAgo } from "@/lib/utils";
import { BackLink, Dash, DetailState, Details, Muted } from "@/components/common/bits";
import { formatSlots, gpusOf } from "@/components/common/slots";
import { useMe } from "@/components/common/use-me";
import { TerminateButton, isTerminatable } from "./terminate-button";
import { SessionGpuMetrics } from "@/components/metrics/session-gpu-metrics";
import { parseVfolderMounts } from "@/server/domain/storage/vfolder-mounts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TERMINAL = ["TERMINATED", "ERROR", "CANCELLED"];

export function SessionDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const { can } = useMe();
  const wellFormed = UUID.test(id);
  useSessionChanges(id);
  const session = useQuery(
    trpc.sessions.get.queryOptions({ id }, { enabled: wellFormed, refetchInterval: (q) => (q.state.data && TERMINAL.includes(q.state.data.status) ? false : 15_000) }),
  );
  const s = session.data;
  const seesHosts = can("hosts.read");
  const vfolders = parseVfolderMounts(s?.vfolderMounts);

  return (
    <>
      <BackLink href="/sessions">All sessions</BackLink>
      <DetailState
        forceNotFound={!wellFormed}
        isLoading={session.isLoading}
        error={session.error}
        back={<BackLink href="/sessions">Back to sessions</BackLink>}
        notFound={{ title: "No such session, or it belongs to a project you are not in.", body: "Sessions are visible to the members of their project (and to admins and auditors)." }}
      >
        {s ? (
          <>
            <PageHeader
              title={s.name}
              description={
                <span className="inline-flex flex-wrap items-center gap-2">
                  <StatusBadge status={s.status} />
                  {s.pendingReason ? <span>{s.pendingReason}</span> : s.statusInfo ? <span>{s.statusInfo}</span> : null}
                </span>
              }
              actions={can("sessions.terminate", s.project.id) && isTerminatable(s.status) ? <TerminateButton session={s} size="default" /> : null}
            />
            <div className="grid gap-6">
              <Card>
                <CardHeader title="Details" />
                <CardBody>
                  <Details
                    items={[
                      ["Image", <span key="i" className="font-mono text-xs">{s.image}</span>],
                      ["Project", s.project.name],
                      ["Owner", s.owner.email],
                      ["Resource group", s.resourceGroup.name],
                      ["Type", s.type],
                      ["Resources per VM", formatSlots(s.requestedSlots)],
                      ["Cluster size", `${s.clusterSize} VM${s.clusterSize === 1 ? "" : "s"}`],
                      ["Confidential VM", s.confidential ? <Badge key="c" tone="accent">yes</Badge> : "no"],
                      [
                        "Virtual folders",
                        vfolders.length ? (
                          <ul key="v" className="grid gap-0.5">
                            {vfolders.map((v) => (
                              <li key={v.name} className="font-mono text-xs">
                                {v.name} → {v.mountPath}
                                {v.readOnly ? <span className="text-muted-fg"> (read-only)</span> : null}
                              </li>
                            ))}
                          </ul>
                        ) : (
                          <Muted key="v">none</Muted>
                        ),
                      ],
                      ["Created", <span key="cr" title={formatTime(s.createdAt)}>{timeAgo(s.createdAt)}</span>],
                      ["Started", s.startedAt ? formatTime(s.startedAt) : <Dash key="st" />],
                      ["Ended", s.terminatedAt ? formatTime(s.terminatedAt) : <Dash key="en" />],
                    ]}
                  />
                  {s.startupCommand ? (
                    <div className="mt-4">
                      <div className="text-xs font-medium tracking-wide text-muted-fg uppercase">Startup command</div>
                      <pre className="mt-1 overflow-x-auto rounded-md border border-border bg-muted px-3 py-2 font-mono text-xs whitespace-pre-wrap">{s.startupCommand}</pre>
                    </div>
                  ) : null}
                </CardBody>
              </Card>

              <Card>
                <CardHeader title="Kernels" description="One kernel per VM. The main kernel is where you connect; sub kernels join it over the session's private network." />
                {s.kernels.length === 0 ? (
                  <EmptyState title="This session has no kernels.">That is unusual: kernels are created with the session. Check its status timeline below.</EmptyState>
                ) : (
                  <Table>
                    <caption className="sr-only">Kernels of {s.name}</caption>
                    <thead>
                      <tr>
                        <Th>Role</Th>
                        <Th className="text-right">Index</Th>
                        <Th>Hostname</Th>
                        <Th>Status</Th>
                        <Th>Host</Th>
                      </tr>
                    </thead>
                    <tbody>
                      {s.kernels.map((k) => (
                        <Tr key={k.id}>
                          <Td>{k.clusterRole}</Td>
                          <Td className="text-right tabular-nums">{k.clusterIdx}</Td>
                          <Td className="font-mono text-xs">{k.clusterHostname}</Td>
                          <Td>
                            <StatusBadge status={k.status} />
                            {k.statusInfo ? <div className="mt-1 text-xs text-muted-fg">{k.statusInfo}</div> : null}
                          </Td>
                          <Td>
                            {k.agentId ? (
                              seesHosts ? (
                                <Link href={`/hosts/${encodeURIComponent(k.agentId)}`} className="text-accent hover:underline">
                                  {k.agentId}
                                </Link>
                              ) : (
                                k.agentId
                              )
                            ) : (
                              <Muted>not placed yet</Muted>
                            )}
                          </Td>
                        </Tr>
                      ))}
                    </tbody>
                  </Table>
                )}
              </Card>

              {s.kernels.filter((k) => k.agentId).map((k) => (
                <KernelDetails key={k.id} kernel={k} />
              ))}

              {can("metrics.read", s.project.id) && gpusOf(s.requestedSlots) > 0 ? <SessionGpuMetrics sessionId={s.id} status={s.status} /> : null}

              {s.schedulingHistory.some((h) => h.result !== "SUCCESS") ? <SchedulingAttempts rows={s.schedulingHistory} /> : null}

              <Card>
                <CardHeader title="Status timeline" />
                <CardBody>
                  {s.statusHistory.length === 0 ? (
                    <p className="text-sm text-muted-fg">No status changes recorded yet.</p>
                  ) : (
                    <ol className="relative grid gap-4 border-l border-border pl-5">
                      {s.statusHistory.map((h, i) => (
                        <li key={i} className="relative">
                          <span className="absolute top-1.5 -left-[1.6rem] h-2.5 w-2.5 rounded-full border-2 border-card bg-accent" aria-hidden />
                          <div className="flex flex-wrap items-center gap-2 text-sm">
                            {h.fromStatus ? (
                              <>
                                <StatusBadge status={h.fromStatus} />
                                <span className="text-muted-fg" aria-label="to">
                                  →
                                </span>
                              </>
                            ) : null}
                            <StatusBadge status={h.toStatus} />
                            <time className="text-xs text-muted-fg" dateTime={new Date(h.createdAt).toISOString()} title={timeAgo(h.createdAt)}>
                              {formatTime(h.createdAt)}
                            </time>
                          </div>
                          {h.reason ? <p className="mt-1 text-sm text-muted-fg">{h.reason}</p> : null}
                        </li>
                      ))}
                    </ol>
                  )}
                </CardBody>
              </Card>
            </div>
          </>
        ) : null}
      </DetailState>
    </>
  );
}

const RESULT_TONE = { SUCCESS: "ok", NEED_RETRY: "warn", EXPIRED: "danger", GIVE_UP: "danger", SKIPPED: "neutral" } as const;
const RESULT_WORDS = { SUCCESS: "succeeded", NEED_RETRY: "will retry", EXPIRED: "expired", GIVE_UP: "gave up", SKIPPED: "skipped" } as const;

/** BEP-1030's scheduling history: shown once anything went other than smoothly. */
function SchedulingAttempts({
  rows,
}: {
  rows: { id: bigint | number | string; phase: string; agentId: string | null; toStatus: string | null; result: keyof typeof RESULT_TONE; errorCode: string | null; message: string; attempts: number; createdAt: Date | string; updatedAt: Date | string }[];
}) {
  return (
    <Card>
      <CardHeader title="Scheduling attempts" description="Each try to place, start or end this session. A call that did not get through is retried; a host that keeps failing is given up on and the session is placed elsewhere." />
      <Table>
        <caption className="sr-only">Scheduling attempts</caption>
        <thead>
          <tr>
            <Th>Phase</Th>
            <Th>Host</Th>
            <Th>Outcome</Th>
            <Th className="text-right">Attempts</Th>
            <Th>What happened</Th>
            <Th>Last</Th>
          </tr>
        </thead>
        <tbody>
          {rows.map((h) => (
            <Tr key={String(h.id)}>
              <Td>{h.phase}</Td>
              <Td className="font-mono text-xs whitespace-nowrap">{h.agentId ?? "—"}</Td>
              <Td className="whitespace-nowrap">
                <Badge tone={RESULT_TONE[h.result]}>{RESULT_WORDS[h.result]}</Badge>
                {h.toStatus && h.result !== "NEED_RETRY" && h.result !== "SUCCESS" ? <span className="ml-1 text-xs text-muted-fg">→ {h.toStatus}</span> : null}
              </Td>
              <Td className="text-right tabular-nums">{h.attempts}</Td>
              <Td className="max-w-xl text-sm">
                {h.message}
                {h.errorCode ? <span className="ml-1 font-mono text-xs text-muted-fg">({h.errorCode})</span> : null}
              </Td>
              <Td className="whitespace-nowrap text-xs text-muted-fg">
                <time dateTime={new Date(h.updatedAt).toISOString()}>{formatTime(h.updatedAt)}</time>
              </Td>
            </Tr>
          ))}
        </tbody>
      </Table>
    </Card>
  );
}
