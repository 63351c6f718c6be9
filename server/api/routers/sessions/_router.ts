import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, projectScope, zUuid, type AuthedContext } from "../shared";
import { mayInProject } from "../../../authz/permissions";
import { AppError } from "../../../errors";
import { LIVE_SESSION_STATUSES, SESSION_STATUSES, RESOURCE_OCCUPYING_SESSION_STATUSES, kernelTarget, terminationTarget } from "../../../domain/sessions/status";
import { quotaViolations, type Policy, type Slots } from "../../../domain/quota/check-quota";
import type { Tx } from "../../../db";
import { pgEvents, SESSION_STATUS_CHANNEL } from "../../../realtime/pg-events";
import { cleanAbsolute, DEFAULT_VFOLDER_PARENT, mountPathClash, mountPathProblem } from "../../../domain/storage/paths";

const GiB = 1024 ** 3;

const listSelect = {
  id: true,
  name: true,
  type: true,
  status: true,
  statusInfo: true,
  pendingReason: true,
  image: true,
  clusterSize: true,
  requestedSlots: true,
  confidential: true,
  createdAt: true,
  startedAt: true,
  terminatedAt: true,
  project: { select: { id: true, name: true } },
  owner: { select: { id: true, email: true } },
  resourceGroup: { select: { id: true, name: true } },
} as const;

const zCreate = z.object({
  projectId: zUuid,
  resourceGroupId: zUuid,
  name: z
    .string()
    .trim()
    .min(1, "is required")
    .max(64, "must be at most 64 characters")
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may use letters, digits, '.', '_' and '-', starting with a letter or digit"),
  type: z.enum(["interactive", "batch"], { error: "must be interactive or batch" }).default("interactive"),
  image: z.string().trim().min(1, "is required").max(255).regex(/^[\w.\-/:@]+$/, "must be an image reference like cr.example.com/ngc/pytorch:24.08"),
  startupCommand: z.string().max(4096, "must be at most 4096 characters").optional(),
  gpus: z.number().int("must be a whole number").min(0, "must be 0–8").max(8, "must be 0–8"),
  vcpus: z.number().int("must be a whole number").min(1, "must be at least 1").max(256, "must be at most 256"),
  memoryGiB: z.number().int("must be whole GiB").min(1, "must be at least 1 GiB").max(4096, "must be at most 4096 GiB"),
  clusterSize: z.number().int().min(1, "must be at least 1").max(16, "must be at most 16").default(1),
  vfolders: z
    .array(
      z.object({
        id: zUuid,
        /** Where the container sees it; /home/work/<name> by default. */
        mountPath: z.string().trim().max(255, "must be at most 255 characters").optional(),
        readOnly: z.boolean().default(false),
      }),
    )
    .max(16, "at most 16 vfolders per session")
    .default([]),
});

/**
 * The vfolders a launch asks for, checked against the project and each other, as stored on the
 * session: [{vfolderId, name, volume, hostPath, mountPath, readOnly}]. Whether a host can mount them is the
 * scheduler's question (a session waits, with the reason, until one can). The rows are read FOR SHARE
 * so a concurrent delete waits for this launch, then sees it.
 */
async function resolveLaunchVfolders(tx: Tx, projectId: string, projectName: string, wanted: z.infer<typeof zCreate>["vfolders"]) {
  if (!wanted.length) return [];
  const ids = wanted.map((w) => w.id);
  const rows = await tx.$queryRaw<{ id: string; name: string; hostPath: string; volume: string }[]>`
    SELECT v.id::text AS id, v.name, v."hostPath", sv.name AS volume
    FROM vfolders v JOIN storage_volumes sv ON sv.id = v."volumeId"
    WHERE v.id = ANY(${ids}::uuid[]) AND v."projectId" = ${projectId}::uuid FOR SHARE OF v`;
  const byId = new Map(rows.map((r) => [r.id, r]));
  const mounts = wanted.map((w, i) => {
    const v = byId.get(w.id);
    if (!v) throw new AppError("BAD_INPUT", `vfolders.${i}: project "${projectName}" has no vfolder with id ${w.id}; pick one of its vfolders`);
    if (ids.indexOf(w.id) !== i) throw new AppError("BAD_INPUT", `vfolders.${i}: vfolder "${v.name}" is listed twice; mount each vfolder once`);
    const mountPath = w.mountPath ? w.mountPath : `${DEFAULT_VFOLDER_PARENT}/${v.name}`;
    const problem = mountPathProblem(mountPath);
    if (problem) throw new AppError("BAD_INPUT", `vfolders.${i}.mountPath: vfolder "${v.name}": ${problem}`);
    return { vfolderId: v.id, name: v.name, volume: v.volume, hostPath: v.hostPath, mountPath: cleanAbsolute(mountPath)!, readOnly: w.readOnly };
  });
  const clash = mountPathClash(mounts);
  if (clash) throw new AppError("BAD_INPUT", `vfolders: ${clash}`);
  return mounts;
}

async function usageOf(tx: Tx, where: { projectId?: string; ownerId?: string }) {
  const live = await tx.session.findMany({
    where: { ...where, status: { in: [...LIVE_SESSION_STATUSES] } },
    select: { status: true, requestedSlots: true, clusterSize: true },
  });
  const occupied = { cpu: 0, mem: 0, "cuda.device": 0 };
  for (const s of live) {
    if (!(RESOURCE_OCCUPYING_SESSION_STATUSES as readonly string[]).includes(s.status)) continue;
    const slots = s.requestedSlots as Slots;
    occupied.cpu += (slots.cpu ?? 0) * s.clusterSize;
    occupied.mem += (slots.mem ?? 0) * s.clusterSize;
    occupied["cuda.device"] += (slots["cuda.device"] ?? 0) * s.clusterSize;
  }
  return { liveSessions: live.length, pendingSessions: live.filter((s) => s.status === "PENDING").length, occupied };
}

async function findVisible(ctx: AuthedContext, id: string) {
  if (!z.uuid().safeParse(id).success) throw new AppError("NOT_FOUND", "No such session, or it belongs to a project you are not in.");
  const session = await ctx.db.session.findFirst({
    where: { id, ...projectScope(ctx, "sessions.read") },
    select: {
      ...listSelect,
      startupCommand: true,
      vfolderMounts: true,
      statusHistory: { orderBy: { id: "asc" }, select: { fromStatus: true, toStatus: true, reason: true, createdAt: true } },
      schedulingHistory: {
        orderBy: { id: "asc" },
        select: { id: true, phase: true, agentId: true, fromStatus: true, toStatus: true, result: true, errorCode: true, message: true, attempts: true, createdAt: true, updatedAt: true },
      },
      kernels: {
        orderBy: { clusterIdx: "asc" },
        select: {
          id: true,
          clusterRole: true,
          clusterIdx: true,
          clusterHostname: true,
          status: true,
          statusInfo: true,
          agentId: true,
          requestedSlots: true,
          containerId: true,
          attachedDevices: true,
          creationContext: true,
          statusHistory: { orderBy: { id: "asc" }, select: { fromStatus: true, toStatus: true, reason: true, createdAt: true } },
        },
      },
    },
  });
  if (!session) throw new AppError("NOT_FOUND", "No such session, or it belongs to a project you are not in.");
  return session;
}

export const sessionsRouter = router({
  list: procedure("sessions.read")
    .input(
      z
        .object({
          projectId: zUuid.optional(),
          resourceGroupId: zUuid.optional(),
          /** Sessions with a kernel on this host. */
          agentId: z.string().max(64).optional(),
          status: z.enum(["live", "ended", "all"]).default("all"),
          /** One exact status (PENDING, RUNNING, ERROR, …); narrows `status`. */
          exactStatus: z.enum(SESSION_STATUSES).optional(),
        })
        .optional(),
    )
    .query(({ ctx, input }) => {
      const scope = projectScope(ctx, "sessions.read");
      const status = input?.status ?? "all";
      return ctx.db.session.findMany({
        where: {
          ...scope,
          // The caller's scope stays a condition of its own: a projectId filter narrows it, never widens it.
          AND: [
            ...(input?.projectId ? [{ projectId: input.projectId }] : []),
            ...(input?.exactStatus ? [{ status: input.exactStatus }] : []),
          ],
          ...(input?.resourceGroupId ? { resourceGroupId: input.resourceGroupId } : {}),
          ...(input?.agentId ? { kernels: { some: { agentId: input.agentId } } } : {}),
          ...(status === "live" ? { status: { in: [...LIVE_SESSION_STATUSES] } } : status === "ended" ? { status: { notIn: [...LIVE_SESSION_STATUSES] } } : {}),
        },
        select: listSelect,
        orderBy: { createdAt: "desc" },
        take: 500,
      });
    }),

  /**
   * Server-sent events: the id of each visible session whose status (or a kernel's) changes, as it
   * happens (PostgreSQL NOTIFY). The console refetches what it shows; it also polls slowly as a fallback.
   */
  changes: procedure("sessions.read").subscription(async function* ({ ctx, signal }) {
    const queue: string[] = [];
    let wake: (() => void) | null = null;
    const unsubscribe = await pgEvents().subscribe(SESSION_STATUS_CHANNEL, (id) => {
      queue.push(id);
      wake?.();
    });
    // One abort listener for the stream's life (one per wait would pile up on a long-lived stream).
    const onAbort = () => wake?.();
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      while (!signal?.aborted) {
        if (!queue.length) {
          await new Promise<void>((r) => {
            wake = r;
            if (signal?.aborted) r();
          });
          wake = null;
          continue;
        }
        const id = queue.shift()!;
        if (!z.uuid().safeParse(id).success) continue;
        const visible = await ctx.db.session.findFirst({ where: { id, ...projectScope(ctx, "sessions.read") }, select: { id: true, status: true } });
        if (visible) yield visible;
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      unsubscribe();
    }
  }),

  /** Hosts that run (or ran) kernels of sessions the caller may see: the host filter's choices. */
  hostsInUse: procedure("sessions.read").query(async ({ ctx }) => {
    const rows = await ctx.db.kernel.findMany({ where: { agentId: { not: null }, session: projectScope(ctx, "sessions.read") }, distinct: ["agentId"], select: { agentId: true }, orderBy: { agentId: "asc" } });
    return rows.map((r) => r.agentId!);
  }),

  get: procedure("sessions.read")
    // Any string: a malformed id is simply not found, like an id from another project.
    .input(z.object({ id: z.string().max(128) }))
    .query(({ ctx, input }) => findVisible(ctx, input.id)),

  /** Queues a session as PENDING with one kernel per cluster member; the scheduler takes it from there. */
  create: procedure("sessions.create")
    .input(zCreate)
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "sessions.create", targetType: "session" }, async (tx) => {
        if (!mayInProject(ctx.actor, "sessions.create", input.projectId)) {
          throw new AppError("NOT_FOUND", "No such project, or you may not launch sessions in it.");
        }
        const project = await tx.project.findUnique({
          where: { id: input.projectId },
          select: { name: true, isActive: true, resourcePolicy: true, resourceGroups: { select: { resourceGroupId: true } } },
        });
        if (!project?.isActive) throw new AppError("PRECONDITION_FAILED", `Project "${project?.name ?? input.projectId}" is inactive.`);
        const rg = await tx.resourceGroup.findUnique({ where: { id: input.resourceGroupId } });
        if (!rg || !rg.isActive) throw new AppError("NOT_FOUND", "No such active resource group.");
        if (!rg.isPublic && !project.resourceGroups.some((r) => r.resourceGroupId === rg.id)) {
          throw new AppError("FORBIDDEN", `Project "${project.name}" may not use resource group "${rg.name}".`);
        }
        const vfolderMounts = await resolveLaunchVfolders(tx, input.projectId, project.name, input.vfolders);
        if (input.type === "batch" && !input.startupCommand?.trim()) {
          throw new AppError("BAD_INPUT", "startupCommand: a batch session needs a startup command");
        }
        const perKernel = { cpu: input.vcpus, mem: input.memoryGiB * GiB, "cuda.device": input.gpus };
        const user = await tx.user.findUnique({ where: { id: ctx.actor.id }, select: { resourcePolicy: true } });
        const violations = [
          ...quotaViolations("project", project.resourcePolicy as Policy | null, await usageOf(tx, { projectId: input.projectId }), { perKernel, clusterSize: input.clusterSize }),
          ...quotaViolations("user", (user?.resourcePolicy as Policy | null) ?? null, await usageOf(tx, { ownerId: ctx.actor.id }), { perKernel, clusterSize: input.clusterSize }),
        ];
        if (violations.length) throw new AppError("QUOTA_EXCEEDED", violations.join("; "));

        const session = await tx.session.create({
          data: {
            name: input.name,
            type: input.type,
            projectId: input.projectId,
            ownerId: ctx.actor.id,
            resourceGroupId: rg.id,
            image: input.image,
            startupCommand: input.startupCommand ?? null,
            clusterSize: input.clusterSize,
            clusterMode: input.clusterSize > 1 ? "multi_node" : "single_node",
            requestedSlots: perKernel,
            vfolderMounts,
            confidential: rg.confidentialPolicy !== "off",
            status: "PENDING",
            pendingReason: "Waiting for the scheduler to pick a host.",
            statusHistory: { create: { fromStatus: null, toStatus: "PENDING", reason: "created by user" } },
            kernels: {
              create: Array.from({ length: input.clusterSize }, (_, i) => ({
                clusterRole: i === 0 ? "main" : "sub",
                clusterIdx: i + 1,
                clusterHostname: i === 0 ? "main1" : `sub${i}`,
                image: input.image,
                requestedSlots: perKernel,
                statusHistory: { create: { fromStatus: null, toStatus: "PENDING" as const, reason: "created by user" } },
              })),
            },
          },
          select: listSelect,
        });
        await tx.$executeRaw`SELECT pg_notify('hypercell_sessions', ${session.id}), pg_notify(${SESSION_STATUS_CHANNEL}, ${session.id})`;
        return { result: session, targetId: session.id, after: { name: session.name, project: project.name, resourceGroup: rg.name, ...perKernel, clusterSize: input.clusterSize, vfolders: vfolderMounts.map((m) => `${m.name}:${m.mountPath}:${m.readOnly ? "ro" : "rw"}`) } };
      }),
    ),

  terminate: procedure("sessions.terminate")
    .input(z.object({ id: zUuid, reason: z.string().max(200).optional() }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "sessions.terminate", targetType: "session", targetId: input.id }, async (tx) => {
        const s = await tx.session.findFirst({ where: { id: input.id, ...projectScope(ctx, "sessions.terminate") }, select: { status: true } });
        if (!s) throw new AppError("NOT_FOUND", "No such session, or it belongs to a project you are not in.");
        const to = terminationTarget(s.status);
        if (!to) throw new AppError("PRECONDITION_FAILED", `The session is already ${s.status.toLowerCase()}.`);
        const reason = input.reason?.trim() || "user-requested";
        const now = new Date();
        await tx.session.update({
          where: { id: input.id },
          data: {
            status: to,
            statusInfo: reason,
            pendingReason: null,
            terminatedAt: to === "CANCELLED" ? now : undefined,
            statusHistory: { create: { fromStatus: s.status, toStatus: to, reason } },
          },
        });
        const kernels = await tx.kernel.findMany({ where: { sessionId: input.id, status: { notIn: ["TERMINATED", "CANCELLED", "ERROR"] } }, select: { id: true, status: true } });
        const kTo = kernelTarget(to);
        for (const k of kernels) {
          await tx.kernel.update({
            where: { id: k.id },
            data: { status: kTo, statusChangedAt: now, terminatedAt: kTo === "CANCELLED" ? now : undefined, statusHistory: { create: { fromStatus: k.status, toStatus: kTo, reason } } },
          });
        }
        await tx.$executeRaw`SELECT pg_notify('hypercell_sessions', ${input.id}), pg_notify(${SESSION_STATUS_CHANNEL}, ${input.id})`;
        return { result: { id: input.id, status: to }, before: { status: s.status }, after: { status: to, reason } };
      }),
    ),
});
