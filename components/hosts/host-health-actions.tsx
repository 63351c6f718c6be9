"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/common/dialogs";

/** After a health action: the host pages and the metrics views (alerts, GPU states) show it. */
function useRefreshHostHealth() {
  const trpc = useTRPC();
  const qc = useQueryClient();
  return () => Promise.all([qc.invalidateQueries({ queryKey: trpc.hosts.pathKey() }), qc.invalidateQueries({ queryKey: trpc.metrics.pathKey() })]);
}

/** Drain a host (no new sessions) or resume it; admins only, behind a confirmation. */
export function DrainHostButton({ agentId, schedulable, size }: { agentId: string; schedulable: boolean; size?: "sm" }) {
  const trpc = useTRPC();
  const refresh = useRefreshHostHealth();
  const drain = useMutation(trpc.metrics.drainHost.mutationOptions({ onSuccess: refresh }));
  const resume = useMutation(trpc.metrics.resumeHost.mutationOptions({ onSuccess: refresh }));
  return schedulable ? (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" size={size}>
          Drain host
        </Button>
      }
      title={`Drain host ${agentId}?`}
      description="No new sessions will be placed on this host. Sessions running there keep running; terminate them to empty it."
      confirmLabel="Drain host"
      pendingLabel="Draining…"
      onConfirm={() => drain.mutateAsync({ agentId })}
    />
  ) : (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" size={size}>
          Resume host
        </Button>
      }
      title={`Resume host ${agentId}?`}
      description="The scheduler may place new sessions on this host again."
      confirmLabel="Resume host"
      pendingLabel="Resuming…"
      onConfirm={() => resume.mutateAsync({ agentId })}
    />
  );
}

/** Puts a quarantined GPU back into placement. */
export function ReleaseGpuButton({ gpuId, label, reason, size = "sm", variant = "ghost" }: { gpuId: string; label: string; reason: string | null; size?: "sm"; variant?: "ghost" | "secondary" }) {
  const trpc = useTRPC();
  const refresh = useRefreshHostHealth();
  const release = useMutation(trpc.metrics.releaseGpu.mutationOptions({ onSuccess: refresh }));
  return (
    <ConfirmDialog
      trigger={
        <Button size={size} variant={variant} aria-label={`Release GPU ${label}`}>
          {variant === "ghost" ? "Release" : "Release GPU"}
        </Button>
      }
      title={`Release GPU ${label}?`}
      description="The scheduler may place sessions on this GPU again. Do this once the GPU has been reset or replaced."
      confirmLabel="Release GPU"
      pendingLabel="Releasing…"
      onConfirm={() => release.mutateAsync({ gpuId })}
    >
      Quarantined because: {reason ?? "no reason recorded"}
    </ConfirmDialog>
  );
}
