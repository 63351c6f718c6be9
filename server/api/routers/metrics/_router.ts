import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, projectScope, zId, zUuid } from "../shared";
import { projectsWith } from "../../../authz/permissions";
import { AppError } from "../../../errors";
import { quarantineGpuTx } from "../../../controller/metrics-store";
import { latestSamples, overviewOf, RANGES, sessionSeries, type Range } from "./queries";

const NOT_FOUND = "No such session, or it belongs to a project you are not in.";
const zRange = z.enum(Object.keys(RANGES) as [Range, ...Range[]], { error: "must be 15m, 1h, 6h or 24h" });

export const metricsRouter = router({
  /** Per GPU of a session: utilisation, memory, temperature, power, clocks, NVLink/PCIe traffic, ≤ 360 points per series. */
  session: procedure("metrics.read")
    .input(z.object({ sessionId: z.string().max(64), range: zRange.default("15m") }))
    .query(async ({ ctx, input }) => {
      if (!zUuid.safeParse(input.sessionId).success) throw new AppError("NOT_FOUND", NOT_FOUND);
      const s = await ctx.db.session.findFirst({ where: { id: input.sessionId, ...projectScope(ctx, "metrics.read") }, select: { id: true, status: true } });
      if (!s) throw new AppError("NOT_FOUND", NOT_FOUND);
      return { sessionStatus: s.status, ...(await sessionSeries(ctx.db, s.id, input.range)) };
    }),

  /** Current averages per host, per project and per session, over the GPUs of running sessions the caller may see. */
  overview: procedure("metrics.read").query(async ({ ctx }) => {
    const rows = await latestSamples(ctx.db, projectsWith(ctx.actor, "metrics.read"));
    return { at: new Date(), ...overviewOf(rows) };
  }),

  /** Recent GPU alerts, newest first: all of them for admins and auditors, those of the caller's projects' sessions otherwise. */
  alerts: procedure("metrics.read")
    .input(z.object({ sessionId: zUuid.optional(), agentId: zId.optional(), limit: z.number().int().min(1).max(500).default(100) }).default({ limit: 100 }))
    .query(async ({ ctx, input }) => {
      const scope = projectsWith(ctx.actor, "metrics.read");
      const rows = await ctx.db.gpuAlert.findMany({
        where: {
          ...(input.sessionId ? { sessionId: input.sessionId } : {}),
          ...(input.agentId ? { agentId: input.agentId } : {}),
          ...(scope === "all" ? {} : { session: { projectId: { in: scope } } }),
        },
        orderBy: { at: "desc" },
        take: input.limit,
        select: {
          id: true,
          at: true,
          agentId: true,
          kernelId: true,
          gpuId: true,
          gpuUuid: true,
          pciAddress: true,
          kind: true,
          severity: true,
          xid: true,
          action: true,
          recommendQuarantine: true,
          message: true,
          acknowledged: true,
          session: { select: { id: true, name: true, project: { select: { id: true, name: true } } } },
          gpu: { select: { quarantined: true, quarantineReason: true } },
          agent: { select: { schedulable: true } },
        },
      });
      return rows.map(({ id, agent, ...r }) => ({ ...r, id: id.toString(), hostSchedulable: agent.schedulable }));
    }),

  /** Keeps a GPU out of placement (the scheduler skips quarantined GPUs). Audited. */
  quarantineGpu: procedure("gpus.quarantine")
    .input(z.object({ gpuId: zUuid, reason: z.string().trim().min(3, "say why (at least 3 characters)").max(500, "must be at most 500 characters") }))
    .mutation(({ ctx, input }) => mutate(ctx, { action: "gpus.quarantine", targetType: "gpu", targetId: input.gpuId }, (tx) => quarantineGpuTx(tx, input.gpuId, input.reason))),

  /** Stops placing new sessions on a host (Agent.schedulable = false); running sessions stay. Audited. */
  drainHost: procedure("hosts.manage")
    .input(z.object({ agentId: zId }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "hosts.drain", targetType: "agent", targetId: input.agentId }, async (tx) => {
        const before = await tx.agent.findUnique({ where: { id: input.agentId }, select: { id: true, schedulable: true } });
        if (!before) throw new AppError("NOT_FOUND", `No host with id "${input.agentId}".`);
        const after = await tx.agent.update({ where: { id: input.agentId }, data: { schedulable: false }, select: { id: true, schedulable: true } });
        return { result: after, before: { schedulable: before.schedulable }, after: { schedulable: false } };
      }),
    ),
});
