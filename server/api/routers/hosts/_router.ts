import { z } from "zod";
import { router, procedure } from "../../trpc";
import { mutate, zId, zUuid } from "../shared";
import { AppError } from "../../../errors";

function requestGpuOperation(kind: "bind" | "unbind") {
  return procedure("gpus.bind")
    .input(z.object({ gpuId: zUuid }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: kind === "bind" ? "gpus.bind" : "gpus.unbind", targetType: "gpu", targetId: input.gpuId }, async (tx) => {
        const gpu = await tx.gpu.findUnique({
          where: { id: input.gpuId },
          select: { id: true, pciAddress: true, passthrough: true, driver: true, agentId: true, agent: { select: { status: true } }, allocations: { where: { releasedAt: null }, select: { id: true } } },
        });
        if (!gpu) throw new AppError("NOT_FOUND", "No such GPU.");
        if (gpu.agent.status !== "ALIVE") throw new AppError("PRECONDITION_FAILED", `Host ${gpu.agentId} is ${gpu.agent.status}; bind and unbind need a live agent.`);
        if (gpu.allocations.length) throw new AppError("PRECONDITION_FAILED", `GPU ${gpu.pciAddress} is allocated to a running kernel; terminate its session first.`);
        if (kind === "bind" && gpu.passthrough === "unsafe_group") {
          throw new AppError("GPU_IOMMU_GROUP_UNSAFE", `GPU ${gpu.pciAddress} shares its IOMMU group with devices that are not its own functions; it cannot be passed through safely.`);
        }
        if (kind === "bind" && gpu.passthrough === "ready") throw new AppError("PRECONDITION_FAILED", `GPU ${gpu.pciAddress} is already bound to vfio-pci.`);
        if (kind === "bind" && gpu.passthrough === "no_iommu") throw new AppError("PRECONDITION_FAILED", `Host ${gpu.agentId} has the IOMMU off; turn it on before binding GPUs.`);
        if (await tx.gpuOperation.findFirst({ where: { gpuId: gpu.id, status: { in: ["pending", "running"] } } })) {
          throw new AppError("CONFLICT", `A bind or unbind of GPU ${gpu.pciAddress} is already in progress.`);
        }
        const op = await tx.gpuOperation.create({
          data: { gpuId: gpu.id, agentId: gpu.agentId, kind, requestedBy: ctx.actor.email, requestId: ctx.requestId },
          select: { id: true, kind: true, status: true },
        });
        await tx.$executeRaw`SELECT pg_notify('hypercell_gpu_ops', ${op.id})`;
        return { result: op, before: { driver: gpu.driver, passthrough: gpu.passthrough }, after: { operation: op.id, kind, host: gpu.agentId, pciAddress: gpu.pciAddress } };
      }),
    );
}

export const hostsRouter = router({
  /** Binds the GPU's whole IOMMU group to vfio-pci; the controller carries it out and rolls back on failure. */
  bindGpu: requestGpuOperation("bind"),
  /** Returns the GPU's IOMMU group to the drivers it had before binding. */
  unbindGpu: requestGpuOperation("unbind"),

  /** Recent bind/unbind operations on a host, newest first, with per-device steps. */
  operations: procedure("hosts.read")
    .input(z.object({ agentId: zId }))
    .query(({ ctx, input }) =>
      ctx.db.gpuOperation.findMany({
        where: { agentId: input.agentId },
        orderBy: { createdAt: "desc" },
        take: 20,
        select: { id: true, kind: true, status: true, message: true, steps: true, requestedBy: true, createdAt: true, finishedAt: true, gpu: { select: { pciAddress: true } } },
      }),
    ),

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
        computePlugins: true,
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
          pciDevices: {
            orderBy: { address: "asc" },
            select: { address: true, vendorId: true, deviceId: true, classCode: true, driver: true, numaNode: true, parentAddress: true, iommuGroup: { select: { number: true } } },
          },
        },
      });
      if (!agent) throw new AppError("NOT_FOUND", `No host with id "${input.id}".`);
      return agent;
    }),
});
