import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, zDescription, zName, zUuid } from "../shared";
import { projectsWith } from "../../../authz/permissions";
import { AppError } from "../../../errors";

const zFields = {
  description: zDescription,
  backend: z.enum(["docker", "kubernetes", "kata"], { error: "must be docker, kubernetes or kata" }),
  scheduler: z.enum(["fifo", "lifo", "drf"], { error: "must be fifo, lifo or drf" }),
  agentSelection: z.enum(["dispersed", "concentrated"], { error: "must be dispersed or concentrated" }),
  confidentialPolicy: z.enum(["required", "preferred", "off"], { error: "must be required, preferred or off" }),
  isActive: z.boolean(),
  isPublic: z.boolean(),
  pendingTimeoutSec: z.number().int("must be a whole number of seconds").min(0, "must be 0 (no timeout) or more").max(7 * 24 * 3600, "must be at most 7 days"),
  // Free-form, but the keys placement reads are checked: a typo must not silently do nothing.
  options: z.looseObject({
    attachNics: z.boolean({ error: "attachNics must be true or false" }).optional(),
    requireLocality: z.enum(["nvlink", "pcie-switch", "numa"], { error: 'requireLocality must be "nvlink", "pcie-switch" or "numa"' }).optional(),
  }),
};

const select = {
  id: true,
  name: true,
  description: true,
  backend: true,
  scheduler: true,
  agentSelection: true,
  confidentialPolicy: true,
  isActive: true,
  isPublic: true,
  pendingTimeoutSec: true,
  options: true,
  createdAt: true,
  projects: { select: { project: { select: { id: true, name: true } } } },
  _count: { select: { agents: true, sessions: true } },
} as const;

export const resourceGroupsRouter = router({
  /** Everyone sees the groups they can launch into; admins and auditors see all. */
  list: procedure("resourceGroups.read").query(({ ctx }) => {
    const scope = projectsWith(ctx.actor, "projects.read");
    const where = scope === "all" ? {} : { isActive: true, OR: [{ isPublic: true }, { projects: { some: { projectId: { in: scope } } } }] };
    return ctx.db.resourceGroup.findMany({ where, select, orderBy: { name: "asc" } });
  }),

  create: procedure("resourceGroups.manage")
    .input(
      z.object({
        name: zName,
        description: zFields.description.default(""),
        backend: zFields.backend.default("kata"),
        scheduler: zFields.scheduler.default("fifo"),
        agentSelection: zFields.agentSelection.default("dispersed"),
        confidentialPolicy: zFields.confidentialPolicy.default("required"),
        isActive: zFields.isActive.default(true),
        isPublic: zFields.isPublic.default(true),
        pendingTimeoutSec: zFields.pendingTimeoutSec.default(0),
        options: zFields.options.default({}),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "resourceGroups.create", targetType: "resourceGroup" }, async (tx) => {
        if (await tx.resourceGroup.findUnique({ where: { name: input.name } })) {
          throw new AppError("CONFLICT", `A resource group named "${input.name}" already exists.`);
        }
        const rg = await tx.resourceGroup.create({ data: { ...input, options: input.options as object }, select });
        return { result: rg, targetId: rg.id, after: input };
      }),
    ),

  update: procedure("resourceGroups.manage")
    .input(
      z.object({
        id: zUuid,
        description: zFields.description.optional(),
        scheduler: zFields.scheduler.optional(),
        agentSelection: zFields.agentSelection.optional(),
        confidentialPolicy: zFields.confidentialPolicy.optional(),
        isActive: zFields.isActive.optional(),
        isPublic: zFields.isPublic.optional(),
        pendingTimeoutSec: zFields.pendingTimeoutSec.optional(),
        options: zFields.options.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "resourceGroups.update", targetType: "resourceGroup", targetId: input.id }, async (tx) => {
        const { id, ...data } = input;
        const before = await tx.resourceGroup.findUnique({ where: { id } });
        if (!before) throw new AppError("NOT_FOUND", "No such resource group.");
        const rg = await tx.resourceGroup.update({ where: { id }, data: { ...data, options: data.options as object | undefined }, select });
        const changed = Object.keys(data).filter((k) => (data as Record<string, unknown>)[k] !== undefined);
        return {
          result: rg,
          before: Object.fromEntries(changed.map((k) => [k, (before as Record<string, unknown>)[k]])),
          after: Object.fromEntries(changed.map((k) => [k, (rg as Record<string, unknown>)[k]])),
        };
      }),
    ),
});
