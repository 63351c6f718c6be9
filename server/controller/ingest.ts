/**
 * Writes what an agent reports into the database: its inventory (PCI devices, IOMMU groups, GPUs)
 * and its facts. GPU rows are updated in place, keyed by PCI address, so allocations that point at
 * them survive a re-scan; a GPU that disappeared is deleted only when nothing ever allocated it.
 */
import type { Db } from "../db";
import type { HostInventory } from "../domain/topology/inventory";
import type { PassthroughState } from "../db/generated/enums";

const PASSTHROUGH: Record<string, PassthroughState> = {
  ready: "ready",
  "needs-vfio": "needs_vfio",
  "unsafe-group": "unsafe_group",
  "no-iommu": "no_iommu",
};

export async function ingestInventory(db: Db, agentId: string, inv: HostInventory, digest: string): Promise<void> {
  await db.$transaction(
    async (tx) => {
      await tx.pciDevice.deleteMany({ where: { agentId } });
      await tx.iommuGroup.deleteMany({ where: { agentId } });
      const groupIds = new Map<number, string>();
      for (const g of inv.iommuGroups) {
        const row = await tx.iommuGroup.create({ data: { agentId, number: g.id, verdict: g.verdict, reasons: g.reasons }, select: { id: true } });
        groupIds.set(g.id, row.id);
      }
      await tx.pciDevice.createMany({
        data: inv.devices.map((d) => ({
          agentId,
          address: d.address,
          vendorId: d.vendorId ?? "????",
          deviceId: d.deviceId ?? "????",
          classCode: d.classCode ?? "",
          subsystemVendorId: d.subsystemVendorId,
          subsystemDeviceId: d.subsystemDeviceId,
          driver: d.driver,
          numaNode: d.numaNode,
          iommuGroupId: d.iommuGroup === null ? null : (groupIds.get(d.iommuGroup) ?? null),
          parentAddress: d.parent,
        })),
      });
      const nvlinkDomain = inv.nvswitches.length ? `nvswitch:${agentId}` : null;
      const groupOf = new Map(inv.devices.map((d) => [d.address, d.iommuGroup]));
      const seen = new Set<string>();
      for (const g of inv.gpus) {
        seen.add(g.address);
        const data = {
          model: g.model ?? `NVIDIA GPU ${g.deviceId ?? "unknown"}`,
          memoryBytes: g.memoryBytes === null ? null : BigInt(g.memoryBytes),
          numaNode: g.numaNode,
          iommuGroupNumber: g.iommuGroup,
          driver: g.driver,
          passthrough: PASSTHROUGH[g.passthrough] ?? "unsafe_group",
          reasons: g.reasons,
          // On NVSwitch hosts (HGX/DGX) every SXM GPU sits in the one NVLink domain.
          nvlinkDomain,
          pcieSwitch: g.pcieSwitch,
          // Placement attaches one of these when the resource group asks for RDMA (BEP-1051 A.11).
          nics: g.nics.map((n) => ({ address: n.address, link: n.link, driver: n.driver, iommuGroup: groupOf.get(n.address) ?? null })),
        };
        await tx.gpu.upsert({ where: { agentId_pciAddress: { agentId, pciAddress: g.address } }, create: { agentId, pciAddress: g.address, ...data }, update: data });
      }
      await tx.gpu.deleteMany({ where: { agentId, pciAddress: { notIn: [...seen] }, allocations: { none: {} } } });
      await tx.agent.update({ where: { id: agentId }, data: { iommuEnabled: inv.iommuEnabled, inventoryDigest: digest } });
    },
    { timeout: 30_000 },
  );
}
