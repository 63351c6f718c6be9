"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Card, CardHeader, EmptyState } from "@/components/ui/card";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { ConfirmDialog } from "@/components/common/dialogs";
import { timeAgo } from "@/lib/utils";

type Gpu = { id: string; pciAddress: string; passthrough: string; driver: string | null; iommuGroupNumber: number | null };

/** Bind / unbind buttons for one GPU (admins). The request is queued; progress shows in GpuOperations. */
export function GpuActions({ gpu, busy }: { gpu: Gpu; busy: boolean }) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  const done = () => qc.invalidateQueries({ queryKey: trpc.hosts.pathKey() });
  const bind = useMutation(trpc.hosts.bindGpu.mutationOptions({ onSuccess: done }));
  const unbind = useMutation(trpc.hosts.unbindGpu.mutationOptions({ onSuccess: done }));
  if (busy) return <Badge tone="accent">in progress…</Badge>;
  if (gpu.passthrough === "needs_vfio") {
    return (
      <ConfirmDialog
        trigger={<Button size="sm">Bind to vfio-pci</Button>}
        title={`Bind ${gpu.pciAddress} to vfio-pci?`}
        description={`Every device in IOMMU group ${gpu.iommuGroupNumber ?? "?"} moves to vfio-pci together. Their current drivers are recorded first; if any step fails, all of them are restored.`}
        confirmLabel="Bind group"
        pendingLabel="Queuing…"
        onConfirm={() => bind.mutateAsync({ gpuId: gpu.id })}
      />
    );
  }
  if (gpu.passthrough === "ready") {
    return (
      <ConfirmDialog
        trigger={
          <Button size="sm" variant="secondary">
            Unbind
          </Button>
        }
        title={`Return ${gpu.pciAddress} to its host driver?`}
        description={`Every device in IOMMU group ${gpu.iommuGroupNumber ?? "?"} goes back to the driver it had before binding. The GPU can no longer be passed through until it is bound again.`}
        confirmLabel="Unbind group"
        pendingLabel="Queuing…"
        onConfirm={() => unbind.mutateAsync({ gpuId: gpu.id })}
      />
    );
  }
  return null;
}

const OP_TONE: Record<string, "ok" | "warn" | "danger" | "accent" | "neutral"> = { succeeded: "ok", pending: "accent", running: "accent", failed: "danger", rolled_back: "warn" };

export function useGpuOperations(agentId: string) {
  const trpc = useTRPC();
  return useQuery(
    trpc.hosts.operations.queryOptions(
      { agentId },
      { refetchInterval: (q) => ((q.state.data ?? []).some((o) => o.status === "pending" || o.status === "running") ? 1_000 : 10_000) },
    ),
  );
}

/** Recent bind/unbind operations with each device's step, live while one runs. */
export function GpuOperations({ agentId }: { agentId: string }) {
  const ops = useGpuOperations(agentId);
  const rows = ops.data ?? [];
  return (
    <Card>
      <CardHeader title="Passthrough operations" description="Bind and unbind requests on this host, newest first, with what happened to each device of the IOMMU group." />
      {rows.length === 0 ? (
        <EmptyState title="No bind or unbind yet.">Bind a GPU that needs vfio-pci from the GPU table above.</EmptyState>
      ) : (
        <Table>
          <thead>
            <tr>
              <Th>When</Th>
              <Th>GPU</Th>
              <Th>Operation</Th>
              <Th>Result</Th>
              <Th className="w-1/2">Steps</Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((o) => (
              <Tr key={o.id}>
                <Td className="whitespace-nowrap">
                  {timeAgo(o.createdAt)}
                  <div className="text-xs text-muted-fg">{o.requestedBy}</div>
                </Td>
                <Td className="font-mono text-xs">{o.gpu.pciAddress}</Td>
                <Td>{o.kind}</Td>
                <Td>
                  <Badge tone={OP_TONE[o.status] ?? "neutral"}>{o.status.replace("_", " ")}</Badge>
                  {o.message ? <div className="mt-1 max-w-72 text-xs text-muted-fg">{o.message}</div> : null}
                </Td>
                <Td>
                  <ul className="grid gap-0.5 font-mono text-xs">
                    {(o.steps as { device: string; fromDriver: string; toDriver: string; ok: boolean; message: string }[]).map((s, i) => (
                      <li key={i} className={s.ok ? "" : "text-danger"}>
                        {s.ok ? "✓" : "✗"} {s.device}: {s.fromDriver || "none"} → {s.toDriver || "none"}
                        {s.message ? <span className="text-muted-fg"> — {s.message}</span> : null}
                      </li>
                    ))}
                  </ul>
                </Td>
              </Tr>
            ))}
          </tbody>
        </Table>
      )}
    </Card>
  );
}

export { StatusBadge };
