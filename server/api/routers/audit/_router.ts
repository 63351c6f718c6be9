import { z } from "zod";
import { router, procedure } from "../../trpc";
import { listAuditPage, verifyAuditChain, zAuditFilter } from "../../../audit/query";

export const auditRouter = router({
  list: procedure("audit.read")
    .input(
      z.object({
        filter: zAuditFilter.default({}),
        cursor: z.bigint().nullish(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .query(({ ctx, input }) => listAuditPage(ctx.db, input.filter, input.cursor ?? null, input.limit)),

  /** Values for the filter pickers. */
  facets: procedure("audit.read").query(async ({ ctx }) => {
    const [actions, targetTypes] = await Promise.all([
      ctx.db.auditEvent.findMany({ distinct: ["action"], select: { action: true }, orderBy: { action: "asc" } }),
      ctx.db.auditEvent.findMany({ distinct: ["targetType"], select: { targetType: true }, orderBy: { targetType: "asc" } }),
    ]);
    return { actions: actions.map((a) => a.action), targetTypes: targetTypes.map((t) => t.targetType) };
  }),

  /** Recomputes the hash chain and names the first broken link. Anyone who may read the trail may verify it. */
  verify: procedure("audit.verify").query(async ({ ctx }) => {
    const started = Date.now();
    const r = await verifyAuditChain(ctx.db);
    return { ...r, tookMs: Date.now() - started, verifiedAt: new Date() };
  }),
});
