/**
 * Virtual folders and the storage volumes they live on. A vfolder is a project's directory on a
 * volume; sessions mount it inside their VMs (the guest mounts the volume itself, see
 * server/agent/kata/storage-mounts.ts). Admins register volumes; project owners create and delete
 * their projects' vfolders; members see and mount them.
 */
import { randomUUID } from "node:crypto";
import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, projectScope, zDescription, zName, zUuid } from "../shared";
import { mayInProject, projectsWith } from "../../../authz/permissions";
import { AppError } from "../../../errors";
import type { Db, Tx } from "../../../db";
import { cleanAbsolute, isUnder, longestCoveringMountpoint, vfolderHostPath } from "../../../domain/storage/paths";
import { LIVE_SESSION_STATUSES } from "../../../domain/sessions/status";
import { kataPluginOf } from "../../../domain/placement/kata-plugin";

export const FS_TYPES = ["nfs", "nfs4", "lustre", "wekafs"] as const;

export const zVfolderName = z
  .string()
  .trim()
  .min(1, "is required")
  .max(64, "must be at most 64 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "may use letters, digits, '.', '_' and '-', starting with a letter or digit");

const zMountpoint = z
  .string()
  .trim()
  .max(255, "must be at most 255 characters")
  .refine((p) => cleanAbsolute(p) !== null && p !== "/", 'must be an absolute path below / without ".", ".." or empty parts, e.g. /mnt/vfstore');

const vfolderSelect = {
  id: true,
  name: true,
  description: true,
  hostPath: true,
  createdAt: true,
  project: { select: { id: true, name: true } },
  volume: { select: { id: true, name: true, fsType: true, mountpoint: true } },
  createdBy: { select: { email: true, name: true } },
} as const;

/** Live sessions that mount each of `ids`, by vfolder id. */
async function liveMounts(db: Db | Tx, ids: string[]): Promise<Map<string, { id: string; name: string; status: string }[]>> {
  const out = new Map<string, { id: string; name: string; status: string }[]>();
  if (!ids.length) return out;
  const rows = await db.$queryRaw<{ vfolderId: string; id: string; name: string; status: string }[]>`
    SELECT m->>'vfolderId' AS "vfolderId", s.id::text AS id, s.name, s.status::text AS status
    FROM sessions s, jsonb_array_elements(s."vfolderMounts") m
    WHERE s.status::text = ANY(${[...LIVE_SESSION_STATUSES]}::text[]) AND m->>'vfolderId' = ANY(${ids}::text[])
    ORDER BY s."createdAt"`;
  for (const r of rows) out.set(r.vfolderId, [...(out.get(r.vfolderId) ?? []), { id: r.id, name: r.name, status: r.status }]);
  return out;
}

/** Mountpoints each ALIVE kata host reports, for "which hosts can mount this volume". */
async function hostMountpoints(db: Db): Promise<{ id: string; resourceGroup: string | null; mountpoints: string[] }[]> {
  const agents = await db.agent.findMany({ where: { status: "ALIVE" }, select: { id: true, computePlugins: true, resourceGroup: { select: { name: true } } }, orderBy: { id: "asc" } });
  return agents.map((a) => ({
    id: a.id,
    resourceGroup: a.resourceGroup?.name ?? null,
    mountpoints: kataPluginOf(a.computePlugins).storageMountpoints ?? [],
  }));
}

export const vfoldersRouter = router({
  /**
   * Storage volumes with their vfolder counts. Whoever may read hosts also sees which ALIVE hosts can
   * mount each volume; everyone else sees only how many resource groups can.
   */
  volumes: procedure("vfolders.read").query(async ({ ctx }) => {
    const volumes = await ctx.db.storageVolume.findMany({ orderBy: { name: "asc" }, include: { _count: { select: { vfolders: true } } } });
    const hosts = await hostMountpoints(ctx.db);
    const seesHosts = projectsWith(ctx.actor, "hosts.read") === "all";
    return volumes.map((v) => {
      const mounting = hosts.filter((h) => longestCoveringMountpoint(`${v.mountpoint}/x`, h.mountpoints) !== null);
      return {
        id: v.id,
        name: v.name,
        fsType: v.fsType,
        mountpoint: v.mountpoint,
        description: v.description,
        vfolderCount: v._count.vfolders,
        resourceGroups: [...new Set(mounting.map((h) => h.resourceGroup).filter((g): g is string => g !== null))].sort(),
        hosts: seesHosts ? mounting.map((h) => h.id) : null,
      };
    });
  }),

  createVolume: procedure("storage.manage")
    .input(
      z.object({
        name: zName,
        fsType: z.enum(FS_TYPES, { error: `must be one of ${FS_TYPES.join(", ")}` }),
        mountpoint: zMountpoint,
        description: zDescription.default(""),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "storage.volumes.create", targetType: "storage_volume" }, async (tx) => {
        const mountpoint = cleanAbsolute(input.mountpoint)!;
        const existing = await tx.storageVolume.findMany({ select: { name: true, mountpoint: true } });
        if (existing.some((v) => v.name === input.name)) throw new AppError("CONFLICT", `name: a storage volume named "${input.name}" already exists`);
        // Nested volumes would make a vfolder's volume ambiguous on the hosts.
        const overlap = existing.find((v) => isUnder(mountpoint, v.mountpoint) || isUnder(v.mountpoint, mountpoint));
        if (overlap) throw new AppError("CONFLICT", `mountpoint: ${mountpoint} overlaps volume "${overlap.name}" at ${overlap.mountpoint}; volumes may not be nested`);
        const volume = await tx.storageVolume.create({ data: { name: input.name, fsType: input.fsType, mountpoint, description: input.description } });
        return { result: volume, targetId: volume.id, after: { name: volume.name, fsType: volume.fsType, mountpoint } };
      }),
    ),

  deleteVolume: procedure("storage.manage")
    .input(z.object({ id: zUuid }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "storage.volumes.delete", targetType: "storage_volume", targetId: input.id }, async (tx) => {
        const v = await tx.storageVolume.findUnique({ where: { id: input.id }, include: { _count: { select: { vfolders: true } } } });
        if (!v) throw new AppError("NOT_FOUND", "No such storage volume.");
        if (v._count.vfolders > 0) throw new AppError("PRECONDITION_FAILED", `Storage volume "${v.name}" still holds ${v._count.vfolders} vfolder${v._count.vfolders === 1 ? "" : "s"}; delete them first.`);
        await tx.storageVolume.delete({ where: { id: v.id } });
        return { result: { id: v.id }, before: { name: v.name, mountpoint: v.mountpoint } };
      }),
    ),

  /** Vfolders of the projects the caller may read (one project with `projectId`), with the live sessions mounting each. */
  list: procedure("vfolders.read")
    .input(z.object({ projectId: zUuid.optional() }).optional())
    .query(async ({ ctx, input }) => {
      const scope = projectScope(ctx, "vfolders.read");
      const rows = await ctx.db.vFolder.findMany({
        where: { ...scope, ...(input?.projectId ? { AND: [{ projectId: input.projectId }] } : {}) },
        select: vfolderSelect,
        orderBy: [{ project: { name: "asc" } }, { name: "asc" }],
      });
      const mounts = await liveMounts(ctx.db, rows.map((r) => r.id));
      return rows.map((r) => ({ ...r, mountedBy: mounts.get(r.id) ?? [], mayManage: mayInProject(ctx.actor, "vfolders.manage", r.project.id) }));
    }),

  create: procedure("vfolders.manage")
    .input(z.object({ projectId: zUuid, volumeId: zUuid, name: zVfolderName, description: zDescription.default("") }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "vfolders.create", targetType: "vfolder" }, async (tx) => {
        if (!mayInProject(ctx.actor, "vfolders.manage", input.projectId)) throw new AppError("NOT_FOUND", "No such project, or you may not manage its vfolders.");
        const project = await tx.project.findUnique({ where: { id: input.projectId }, select: { name: true, isActive: true } });
        if (!project) throw new AppError("NOT_FOUND", "No such project, or you may not manage its vfolders.");
        if (!project.isActive) throw new AppError("PRECONDITION_FAILED", `Project "${project.name}" is inactive.`);
        const volume = await tx.storageVolume.findUnique({ where: { id: input.volumeId } });
        if (!volume) throw new AppError("BAD_INPUT", "volumeId: no such storage volume; pick one from the list of volumes");
        if (await tx.vFolder.findUnique({ where: { projectId_name: { projectId: input.projectId, name: input.name } } })) {
          throw new AppError("CONFLICT", `name: project "${project.name}" already has a vfolder named "${input.name}"`);
        }
        const id = randomUUID();
        const vfolder = await tx.vFolder.create({
          data: { id, name: input.name, description: input.description, projectId: input.projectId, volumeId: volume.id, hostPath: vfolderHostPath(volume.mountpoint, input.projectId, id), createdById: ctx.actor.id },
          select: vfolderSelect,
        });
        return { result: vfolder, targetId: vfolder.id, after: { name: vfolder.name, project: project.name, volume: volume.name, hostPath: vfolder.hostPath } };
      }),
    ),

  delete: procedure("vfolders.manage")
    .input(z.object({ id: zUuid }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "vfolders.delete", targetType: "vfolder", targetId: input.id }, async (tx) => {
        const v = await tx.vFolder.findFirst({ where: { id: input.id, ...projectScope(ctx, "vfolders.manage") }, select: vfolderSelect });
        if (!v) throw new AppError("NOT_FOUND", "No such vfolder, or you may not manage it.");
        // Lock out a concurrent launch that would mount it: launches read the vfolder row FOR SHARE.
        await tx.$queryRaw`SELECT id FROM vfolders WHERE id = ${v.id}::uuid FOR UPDATE`;
        const users = (await liveMounts(tx, [v.id])).get(v.id) ?? [];
        if (users.length) {
          throw new AppError("PRECONDITION_FAILED", `vfolder "${v.name}" is mounted by ${users.length} live session${users.length === 1 ? "" : "s"} (${users.map((u) => u.name).join(", ")}); terminate ${users.length === 1 ? "it" : "them"} first`);
        }
        await tx.vFolder.delete({ where: { id: v.id } });
        return { result: { id: v.id }, before: { name: v.name, project: v.project.name, hostPath: v.hostPath } };
      }),
    ),
});
