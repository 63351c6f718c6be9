import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, zName, zUuid } from "../shared";
import { projectsWith } from "../../../authz/permissions";
import { AppError } from "../../../errors";

const zLimit = (what: string) => z.number().int(`${what} must be a whole number`).min(0, `${what} cannot be negative`).nullable();
const zSlots = z
  .object({
    cpu: z.number().int("cpu must be a whole number of cores").min(0).optional(),
    mem: z.number().int("mem must be a whole number of bytes").min(0).optional(),
    "cuda.device": z.number().int("cuda.device must be a whole number of GPUs").min(0).optional(),
  })
  .strict();

const fields = {
  totalSlots: zSlots,
  maxConcurrentSessions: zLimit("max concurrent sessions"),
  maxPendingSessions: zLimit("max pending sessions"),
  maxGpusPerSession: zLimit("max GPUs per session"),
  maxSessionLifetimeSec: zLimit("max session lifetime"),
  idleTimeoutSec: zLimit("idle timeout"),
};

const select = {
  id: true,
  name: true,
  scope: true,
  totalSlots: true,
  maxConcurrentSessions: true,
  maxPendingSessions: true,
  maxGpusPerSession: true,
  maxSessionLifetimeSec: true,
  idleTimeoutSec: true,
  createdAt: true,
  projects: { select: { id: true, name: true } },
  users: { select: { id: true, email: true } },
} as const;

export const quotasRouter = router({
  /** Resource policies; members see the ones applied to their projects and to themselves. */
  list: procedure("quotas.read").query(({ ctx }) => {
    const scope = projectsWith(ctx.actor, "quotas.read");
    const where = scope === "all" ? {} : { OR: [{ projects: { some: { id: { in: scope } } } }, { users: { some: { id: ctx.actor.id } } }] };
    return ctx.db.resourcePolicy.findMany({ where, select, orderBy: { name: "asc" } });
  }),

  create: procedure("quotas.manage")
    .input(
      z.object({
        name: zName,
        scope: z.enum(["project", "user"], { error: "must be project or user" }),
        totalSlots: fields.totalSlots.default({}),
        maxConcurrentSessions: fields.maxConcurrentSessions.default(null),
        maxPendingSessions: fields.maxPendingSessions.default(null),
        maxGpusPerSession: fields.maxGpusPerSession.default(null),
        maxSessionLifetimeSec: fields.maxSessionLifetimeSec.default(null),
        idleTimeoutSec: fields.idleTimeoutSec.default(null),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "quotas.create", targetType: "resourcePolicy" }, async (tx) => {
        if (await tx.resourcePolicy.findUnique({ where: { name: input.name } })) {
          throw new AppError("CONFLICT", `A resource policy named "${input.name}" already exists.`);
        }
        const p = await tx.resourcePolicy.create({ data: input, select });
        return { result: p, targetId: p.id, after: input };
      }),
    ),

  update: procedure("quotas.manage")
    .input(
      z.object({
        id: zUuid,
        totalSlots: fields.totalSlots.optional(),
        maxConcurrentSessions: fields.maxConcurrentSessions.optional(),
        maxPendingSessions: fields.maxPendingSessions.optional(),
        maxGpusPerSession: fields.maxGpusPerSession.optional(),
        maxSessionLifetimeSec: fields.maxSessionLifetimeSec.optional(),
        idleTimeoutSec: fields.idleTimeoutSec.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "quotas.update", targetType: "resourcePolicy", targetId: input.id }, async (tx) => {
        const { id, ...data } = input;
        const before = await tx.resourcePolicy.findUnique({ where: { id }, select });
        if (!before) throw new AppError("NOT_FOUND", "No such resource policy.");
        const p = await tx.resourcePolicy.update({ where: { id }, data, select });
        return { result: p, before, after: p };
      }),
    ),
});
