"use client";
import Link from "next/link";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { ConfirmDialog } from "@/components/common/dialogs";
import { useMe } from "@/components/common/use-me";
import { DrainHostButton, ReleaseGpuButton } from "@/components/hosts/host-health-actions";
import { formatTime, timeAgo } from "@/lib/utils";

type Alert = inferRouterOutputs<AppRouter>["metrics"]["alerts"][number];

const TONE = { critical: "danger", warning: "warn", info: "neutral" } as const;

/**
 * GPU alerts, newest first; admins get Quarantine GPU / Release GPU, Drain host / Resume host (each
 * behind a confirmation) and Acknowledge. Acknowledged alerts stay listed, dimmed.
 */
export function AlertsTable({ alerts, showSession = true }: { alerts: Alert[]; showSession?: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const { can } = useMe();
  const refresh = () => qc.invalidateQueries({ queryKey: trpc.metrics.alerts.queryKey() });
  const quarantine = useMutation(trpc.metrics.quarantineGpu.mutationOptions({ onSuccess: refresh }));
  const acknowledge = useMutation(trpc.metrics.acknowledgeAlert.mutationOptions({ onSuccess: refresh }));
  const mayQuarantine = can("gpus.quarantine");
  const mayDrain = can("hosts.manage");

  return (
    <Table>
      <caption className="sr-only">GPU alerts</caption>
      <thead>
        <tr>
          <Th>When</Th>
          <Th>Severity</Th>
          <Th>GPU</Th>
          <Th>What happened</Th>
          {showSession ? <Th>Session</Th> : null}
          {mayQuarantine || mayDrain ? <Th className="text-right">Actions</Th> : null}
        </tr>
      </thead>
      <tbody>
        {alerts.map((a) => (
          <Tr key={a.id} className={a.acknowledged ? "opacity-60" : undefined}>
            <Td className="whitespace-nowrap">
              <time dateTime={new Date(a.at).toISOString()} title={formatTime(a.at)}>
                {timeAgo(a.at)}
              </time>
            </Td>
            <Td>
              <Badge tone={TONE[a.severity as keyof typeof TONE] ?? "neutral"}>{a.severity}</Badge>
              {a.acknowledged ? <div className="mt-1 text-xs text-muted-fg">acknowledged</div> : null}
            </Td>
            <Td className="font-mono text-xs whitespace-nowrap">
              {a.agentId}
              <div>{a.pciAddress ?? "unknown address"}</div>
              {a.gpu?.quarantined ? (
                <Badge tone="danger" className="mt-1 font-sans" title={a.gpu.quarantineReason ?? undefined}>
                  quarantined
                </Badge>
              ) : null}
            </Td>
            <Td className="max-w-xl">
              <div className="font-medium">
                {a.xid ? `Xid ${a.xid}` : a.kind.replace(/-/g, " ")}
                <span className="ml-2 text-xs font-normal text-muted-fg">action: {a.action.replace(/-/g, " ")}</span>
                {a.recommendQuarantine && !a.gpu?.quarantined ? <span className="ml-2 text-xs font-normal text-danger">quarantine recommended</span> : null}
              </div>
              <p className="mt-0.5 text-xs text-muted-fg">{a.message}</p>
            </Td>
            {showSession ? (
              <Td>
                {a.session ? (
                  <Link href={`/sessions/${a.session.id}`} className="text-accent hover:underline">
                    {a.session.name}
                  </Link>
                ) : (
                  <span className="text-muted-fg">—</span>
                )}
                {a.session ? <div className="text-xs text-muted-fg">{a.session.project.name}</div> : null}
              </Td>
            ) : null}
            {mayQuarantine || mayDrain ? (
              <Td className="text-right">
                <div className="flex flex-col items-end gap-1.5">
                  {mayQuarantine && a.gpuId && !a.gpu?.quarantined ? (
                    <ConfirmDialog
                      trigger={
                        <Button size="sm" variant={a.recommendQuarantine ? "danger" : "secondary"}>
                          Quarantine GPU
                        </Button>
                      }
                      title={`Quarantine GPU ${a.pciAddress} on ${a.agentId}?`}
                      description="The scheduler will not place new sessions on this GPU until an administrator releases it. Sessions running on it now keep running."
                      confirmLabel="Quarantine GPU"
                      pendingLabel="Quarantining…"
                      onConfirm={() => quarantine.mutateAsync({ gpuId: a.gpuId!, reason: `${a.xid ? `Xid ${a.xid}` : a.kind}: ${a.message}`.slice(0, 500) })}
                    >
                      Reason recorded in the audit trail: {a.xid ? `Xid ${a.xid}` : a.kind} — {a.message.slice(0, 160)}
                      {a.message.length > 160 ? "…" : ""}
                    </ConfirmDialog>
                  ) : mayQuarantine && a.gpuId && a.gpu?.quarantined ? (
                    <ReleaseGpuButton gpuId={a.gpuId} label={`${a.pciAddress} on ${a.agentId}`} reason={a.gpu.quarantineReason} variant="secondary" />
                  ) : null}
                  {mayDrain ? <DrainHostButton agentId={a.agentId} schedulable={a.hostSchedulable} size="sm" /> : null}
                  {mayQuarantine && !a.acknowledged ? (
                    <Button size="sm" variant="ghost" disabled={acknowledge.isPending} onClick={() => acknowledge.mutate({ id: a.id })}>
                      Acknowledge
                    </Button>
                  ) : null}
                </div>
              </Td>
            ) : null}
          </Tr>
        ))}
      </tbody>
    </Table>
  );
}
