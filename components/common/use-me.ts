"use client";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import type { Permission } from "@/server/authz/permissions";

/**
 * The signed-in user (me.get) and a `can(permission, projectId?)` helper for hiding buttons the
 * user cannot use. While me.get is loading, `can` answers false. The server decides anyway.
 */
export function useMe() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions(undefined, { staleTime: 60_000 }));
  const perms = me.data?.permissions;
  function scope(permission: Permission): "all" | string[] {
    const s = perms?.[permission];
    return s === undefined ? [] : s;
  }
  /** Without projectId: the permission is held anywhere. With it: for that project. */
  function can(permission: Permission, projectId?: string | null): boolean {
    const s = scope(permission);
    if (s === "all") return true;
    return projectId ? s.includes(projectId) : s.length > 0;
  }
  return { me: me.data, isLoading: me.isLoading, error: me.error, can, scope };
}
