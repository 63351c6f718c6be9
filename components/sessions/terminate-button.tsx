"use client";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/common/dialogs";

const ENDED = ["TERMINATING", "TERMINATED", "ERROR", "CANCELLED"];

/** Whether a terminate request makes sense for this status (the server decides anyway). */
export function isTerminatable(status: string): boolean {
  return !ENDED.includes(status);
}

/** Terminate (or, for a session still waiting, cancel) after asking; refreshes the session lists. */
export function TerminateButton({ session, size = "sm" }: { session: { id: string; name: string; status: string }; size?: "sm" | "default" }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const terminate = useMutation(
    trpc.sessions.terminate.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.sessions.pathKey() }),
    }),
  );
  const waiting = session.status === "PENDING" || session.status === "DEPRIORITIZING";
  return (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" size={size} aria-label={`Terminate session ${session.name}`}>
          Terminate
        </Button>
      }
      title={`Terminate ${session.name}?`}
      confirmLabel={waiting ? "Cancel session" : "Terminate session"}
      pendingLabel="Terminating…"
      onConfirm={() => terminate.mutateAsync({ id: session.id })}
    >
      {waiting
        ? "It has not started yet, so it is cancelled at once and never gets a host."
        : "Its VMs are stopped and torn down: the processes inside, scratch storage, network policy and the GPU reservation. Data in vfolders is kept; anything else inside the VM is lost."}
    </ConfirmDialog>
  );
}
