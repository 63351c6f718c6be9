"use client";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/trpc/react";

/**
 * Refetches session data the moment a visible session (or one of its kernels) changes status: the
 * server pushes the change over server-sent events from PostgreSQL NOTIFY. Pages keep a slow poll as
 * a fallback for when the stream is down.
 */
export function useSessionChanges(sessionId?: string) {
  const trpc = useTRPC();
  const qc = useQueryClient();
  useSubscription(
    trpc.sessions.changes.subscriptionOptions(undefined, {
      onData: (s) => {
        if (sessionId && s.id !== sessionId) return;
        void qc.invalidateQueries({ queryKey: trpc.sessions.pathKey() });
        void qc.invalidateQueries({ queryKey: trpc.overview.pathKey() });
      },
    }),
  );
}
