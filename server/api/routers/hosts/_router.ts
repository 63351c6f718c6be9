import { z } from "zod";
import { router, procedure } from "../../trpc";
import { zId } from "../shared";
import { AppError } from "../../../errors";

export const hostsRouter = router({
  /** Every registered agent with its GPU summary. Admins and auditors only. */
  list: procedure("hosts.read").query(async ({ ctx }) => {
    const agents = await ctx.db.agent.findMany({
      orderBy: { id: "asc" },
      select: {
        id: true,
        backend: true,
        status: true,
        statusReason: true,
        schedulable: true,
        address: true,
        hypervisor: true,
        confidentialCapability: true,
        iommuEnabled: true,
        version: true,
        lastHeartbeatAt: true,
        availableSlots: true,
        occupiedSlots: true,
        resourceGroup: { select: { id: true, name: true } },
        gpus: { select: { passthrough: true, quarantined: true, model: true } },
      },
    });
    return agents.map(({ gpus, ...a }) => ({
      ...a,
      gpuCount: gpus.length,
      gpuReady: gpus.filter((g) => g.passthrough === "ready" && !g.quarantined).length,
      gpuModels: [...new Set(gpus.map((g) => g.model))],
    }));
  }),

  get: procedure("hosts.read")
    .input(z.object({ id: zId }))
    .query(async ({ ctx, input }) => {
      const agent = await ctx.db.agent.findUnique({
        where: { id: input.id },
        include: {
          resourceGroup: { select: { id: true, name: true } },
          gpus: { orderBy: { pciAddress: "asc" } },
          iommuGroups: { orderBy: { number: "asc" }, include: { devices: { select: { address: true, vendorId: true, deviceId: true, classCode: true, driver: true } } } },
        },
      });
      if (!agent) throw new AppError("NOT_FOUND", `No host with id "${input.id}".`);
      return agent;
    }),
});
