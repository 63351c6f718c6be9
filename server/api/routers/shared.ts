import { z } from "zod";
import type { Context } from "../context";
import { auditRequest } from "../context";
import { audited, type AuditedChange } from "../../audit/record";
import type { Tx } from "../../db";
import type { SignedInActor } from "../context";
import { projectsWith, type Permission } from "../../authz/permissions";

export type AuthedContext = Context & { actor: SignedInActor };

export const zId = z.string().min(1, "is required").max(128, "is too long");
export const zUuid = z.uuid("must be an id (UUID)");
export const zName = z
  .string()
  .trim()
  .min(2, "must be at least 2 characters")
  .max(63, "must be at most 63 characters")
  .regex(/^[a-z0-9][a-z0-9-]*[a-z0-9]$/, "may use lowercase letters, digits and '-' (not at either end)");
export const zDescription = z.string().trim().max(500, "must be at most 500 characters");

/** Runs a change and its audit event in one transaction (see server/audit/record.ts). */
export function mutate<T>(
  ctx: AuthedContext,
  what: { action: string; targetType: string; targetId?: string | null },
  change: (tx: Tx) => Promise<AuditedChange<T>>,
): Promise<T> {
  return audited(ctx.db, auditRequest(ctx), what, change);
}

/** A Prisma `where` fragment limiting rows to the projects in which the actor holds `permission`. */
export function projectScope(ctx: AuthedContext, permission: Permission): { projectId?: { in: string[] } } {
  const scope = projectsWith(ctx.actor, permission);
  return scope === "all" ? {} : { projectId: { in: scope } };
}
