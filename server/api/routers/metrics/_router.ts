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

  /** Puts a quarantined GPU back into placement once an admin has dealt with it. Audited. */
  releaseGpu: procedure("gpus.quarantine")
    .input(z.object({ gpuId: zUuid, note: z.string().trim().max(500, "must be at most 500 characters").default("") }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "gpus.release", targetType: "gpu", targetId: input.gpuId }, async (tx) => {
        const gpu = await tx.gpu.findUnique({ where: { id: input.gpuId }, select: { id: true, agentId: true, pciAddress: true, quarantined: true, quarantineReason: true } });
        if (!gpu) throw new AppError("NOT_FOUND", "No such GPU.");
        if (!gpu.quarantined) throw new AppError("PRECONDITION_FAILED", `GPU ${gpu.pciAddress} on ${gpu.agentId} is not quarantined.`);
        const after = await tx.gpu.update({ where: { id: gpu.id }, data: { quarantined: false, quarantineReason: null }, select: { id: true, agentId: true, pciAddress: true, quarantined: true } });
        return {
          result: after,
          before: { quarantined: true, quarantineReason: gpu.quarantineReason },
          after: { host: gpu.agentId, pciAddress: gpu.pciAddress, quarantined: false },
          message: input.note || undefined,
        };
      }),
    ),

  /** Lets the scheduler place sessions on a drained host again. Audited. */
  resumeHost: procedure("hosts.manage")
    .input(z.object({ agentId: zId }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "hosts.resume", targetType: "agent", targetId: input.agentId }, async (tx) => {
        const before = await tx.agent.findUnique({ where: { id: input.agentId }, select: { id: true, schedulable: true } });
        if (!before) throw new AppError("NOT_FOUND", `No host with id "${input.agentId}".`);
        if (before.schedulable) throw new AppError("PRECONDITION_FAILED", `Host ${input.agentId} is not drained.`);
        const after = await tx.agent.update({ where: { id: input.agentId }, data: { schedulable: true }, select: { id: true, schedulable: true } });
        await tx.$executeRaw`SELECT pg_notify('hypercell_sessions', ${input.agentId})`; // pending sessions may fit now
        return { result: after, before: { schedulable: false }, after: { schedulable: true } };
      }),
    ),

  /** Marks an alert as seen and handled; it stays in the list, dimmed. Audited. */
  acknowledgeAlert: procedure("gpus.quarantine")
    .input(z.object({ id: z.string().regex(/^\d{1,19}$/, "must be an alert id") }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "alerts.acknowledge", targetType: "gpu_alert", targetId: input.id }, async (tx) => {
        const alert = await tx.gpuAlert.findUnique({ where: { id: BigInt(input.id) }, select: { id: true, acknowledged: true, agentId: true, pciAddress: true, message: true } });
        if (!alert) throw new AppError("NOT_FOUND", "No such alert.");
        if (alert.acknowledged) throw new AppError("PRECONDITION_FAILED", "The alert is already acknowledged.");
        await tx.gpuAlert.update({ where: { id: alert.id }, data: { acknowledged: true } });
        return { result: { id: input.id, acknowledged: true }, before: { acknowledged: false }, after: { acknowledged: true, host: alert.agentId, pciAddress: alert.pciAddress } };
      }),
    ),
});
