import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, projectScope, zDescription, zId, zName, zUuid } from "../shared";
import { mayInProject } from "../../../authz/permissions";
import { AppError } from "../../../errors";

const projectSelect = {
  id: true,
  name: true,
  description: true,
  isActive: true,
  createdAt: true,
  resourcePolicy: { select: { id: true, name: true } },
  memberships: {
    select: { role: true, user: { select: { id: true, email: true, name: true, disabled: true } } },
    orderBy: { user: { email: "asc" } },
  },
  resourceGroups: { select: { resourceGroup: { select: { id: true, name: true, backend: true } } } },
  _count: { select: { sessions: true } },
} as const;

export const projectsRouter = router({
  /** Admins and auditors see every project; others the projects they belong to. */
  list: procedure("projects.read").query(({ ctx }) => {
    const scope = projectScope(ctx, "projects.read");
    return ctx.db.project.findMany({
      where: scope.projectId ? { id: scope.projectId } : {},
      select: projectSelect,
      orderBy: { name: "asc" },
    });
  }),

  get: procedure("projects.read")
    .input(z.object({ id: zUuid }))
    .query(async ({ ctx, input }) => {
      const project = mayInProject(ctx.actor, "projects.read", input.id)
        ? await ctx.db.project.findUnique({ where: { id: input.id }, select: projectSelect })
        : null;
      if (!project) throw new AppError("NOT_FOUND", "No such project, or you are not a member of it.");
      return project;
    }),

  create: procedure("projects.manage")
    .input(
      z.object({
        name: zName,
        description: zDescription.default(""),
        resourcePolicyId: zUuid.nullish(),
        resourceGroupIds: z.array(zUuid).max(50).default([]),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "projects.create", targetType: "project" }, async (tx) => {
        if (await tx.project.findUnique({ where: { name: input.name } })) {
          throw new AppError("CONFLICT", `A project named "${input.name}" already exists.`);
        }
        const project = await tx.project.create({
          data: {
            name: input.name,
            description: input.description,
            resourcePolicyId: input.resourcePolicyId ?? null,
            resourceGroups: { create: input.resourceGroupIds.map((resourceGroupId) => ({ resourceGroupId })) },
          },
          select: projectSelect,
        });
        return { result: project, targetId: project.id, after: { name: project.name, resourceGroupIds: input.resourceGroupIds } };
      }),
    ),

  update: procedure("projects.manage")
    .input(
      z.object({
        id: zUuid,
        description: zDescription.optional(),
        isActive: z.boolean().optional(),
        resourcePolicyId: zUuid.nullish(),
        resourceGroupIds: z.array(zUuid).max(50).optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "projects.update", targetType: "project", targetId: input.id }, async (tx) => {
        const before = await tx.project.findUnique({
          where: { id: input.id },
          select: { description: true, isActive: true, resourcePolicyId: true, resourceGroups: { select: { resourceGroupId: true } } },
        });
        if (!before) throw new AppError("NOT_FOUND", "No such project.");
        if (input.resourceGroupIds) {
          await tx.projectResourceGroup.deleteMany({ where: { projectId: input.id } });
          await tx.projectResourceGroup.createMany({ data: input.resourceGroupIds.map((resourceGroupId) => ({ projectId: input.id, resourceGroupId })) });
        }
        const project = await tx.project.update({
          where: { id: input.id },
          data: { description: input.description, isActive: input.isActive, resourcePolicyId: input.resourcePolicyId },
          select: projectSelect,
        });
        return {
          result: project,
          before: { ...before, resourceGroups: before.resourceGroups.map((r) => r.resourceGroupId) },
          after: { description: project.description, isActive: project.isActive, resourcePolicyId: project.resourcePolicy?.id ?? null, resourceGroups: project.resourceGroups.map((r) => r.resourceGroup.id) },
        };
      }),
    ),

  /** Adds a user to a project or changes their role there. Admins, and owners of that project. */
  setMember: procedure("projects.members.manage")
    .input(z.object({ projectId: zUuid, email: z.email("must be an email address").transform((s) => s.toLowerCase()), role: z.enum(["owner", "member"]) }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "projects.setMember", targetType: "project", targetId: input.projectId }, async (tx) => {
        if (!mayInProject(ctx.actor, "projects.members.manage", input.projectId)) {
          throw new AppError("NOT_FOUND", "No such project, or you may not manage its members.");
        }
        const user = await tx.user.findUnique({ where: { email: input.email }, select: { id: true, disabled: true } });
        if (!user) throw new AppError("NOT_FOUND", `No user with email ${input.email}. An admin creates accounts under Admin → Users.`);
        const before = await tx.projectMembership.findUnique({ where: { projectId_userId: { projectId: input.projectId, userId: user.id } } });
        if (before?.role === "owner" && input.role === "member") await assertAnotherOwner(tx, input.projectId, user.id);
        await tx.projectMembership.upsert({
          where: { projectId_userId: { projectId: input.projectId, userId: user.id } },
          create: { projectId: input.projectId, userId: user.id, role: input.role },
          update: { role: input.role },
        });
        return { result: { ok: true }, before: before ? { email: input.email, role: before.role } : null, after: { email: input.email, role: input.role } };
      }),
    ),

  removeMember: procedure("projects.members.manage")
    .input(z.object({ projectId: zUuid, userId: zId }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "projects.removeMember", targetType: "project", targetId: input.projectId }, async (tx) => {
        if (!mayInProject(ctx.actor, "projects.members.manage", input.projectId)) {
          throw new AppError("NOT_FOUND", "No such project, or you may not manage its members.");
        }
        const before = await tx.projectMembership.findUnique({
          where: { projectId_userId: input },
          select: { role: true, user: { select: { email: true } } },
        });
        if (!before) throw new AppError("NOT_FOUND", "That user is not a member of this project.");
        if (before.role === "owner") await assertAnotherOwner(tx, input.projectId, input.userId);
        await tx.projectMembership.delete({ where: { projectId_userId: input } });
        return { result: { ok: true }, before: { email: before.user.email, role: before.role }, after: null };
      }),
    ),
});

async function assertAnotherOwner(tx: Parameters<Parameters<typeof mutate>[2]>[0], projectId: string, leavingUserId: string) {
  const others = await tx.projectMembership.count({ where: { projectId, role: "owner", userId: { not: leavingUserId } } });
  if (others === 0) throw new AppError("CONFLICT", "A project needs at least one owner; make someone else owner first.");
}
