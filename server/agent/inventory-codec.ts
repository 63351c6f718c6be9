/**
 * HostInventory (server/domain/topology) ⇄ the wire message, and the digest heartbeats carry.
 * Proto3 `optional` fields cannot hold null: null goes out as "absent" and comes back as null.
 */
import { createHash } from "node:crypto";
import type { HostInventory, InventoryDevice, InventoryGpu, InventoryNeighbour } from "../domain/topology/inventory";
import { canonicalJson } from "../domain/audit/hash-chain";
import type { Inventory, Inventory__Output } from "../proto/generated/hypercell/agent/v1/Inventory";
import type { PciNeighbour__Output } from "../proto/generated/hypercell/agent/v1/PciNeighbour";

export function inventoryDigest(inv: HostInventory): string {
  return createHash("sha256").update(canonicalJson(inv)).digest("hex");
}

function noNulls<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], null> | undefined } {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? undefined : v])) as never;
}

export function inventoryToProto(inv: HostInventory): Inventory {
  return {
    formatVersion: inv.formatVersion,
    iommuEnabled: inv.iommuEnabled,
    iommuUnits: inv.iommuUnits,
    devices: inv.devices.map((d) => noNulls(d)),
    gpus: inv.gpus.map((g) => ({
      ...noNulls({ ...g, nics: undefined, nvswitches: undefined, largestBarBytes: undefined }),
      nics: g.nics.map((n) => noNulls(n)),
      nvswitches: g.nvswitches.map((n) => noNulls(n)),
    })),
    iommuGroups: inv.iommuGroups,
    nvswitches: inv.nvswitches,
    warnings: inv.warnings,
    digest: inventoryDigest(inv),
  };
}

const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);

function neighbourFrom(x: PciNeighbour__Output): InventoryNeighbour {
  return { address: x.address, vendorId: n(x.vendorId), deviceId: n(x.deviceId), classCode: n(x.classCode), driver: n(x.driver), link: x.link as InventoryNeighbour["link"] };
}

export function inventoryFromProto(m: Inventory__Output): HostInventory & { digest: string } {
  return {
    formatVersion: m.formatVersion,
    iommuEnabled: m.iommuEnabled,
    iommuUnits: m.iommuUnits,
    devices: m.devices.map(
      (d): InventoryDevice => ({
        address: d.address,
        vendorId: n(d.vendorId),
        deviceId: n(d.deviceId),
        classCode: n(d.classCode),
        driver: n(d.driver),
        numaNode: n(d.numaNode),
        iommuGroup: n(d.iommuGroup),
        parent: n(d.parent),
        subsystemVendorId: n(d.subsystemVendorId),
        subsystemDeviceId: n(d.subsystemDeviceId),
        physfn: n(d.physfn),
      }),
    ),
    gpus: m.gpus.map(
      (g): InventoryGpu => ({
        address: g.address,
        deviceId: n(g.deviceId),
        model: n(g.model),
        memoryBytes: n(g.memoryBytes),
        memorySource: n(g.memorySource) as InventoryGpu["memorySource"],
        largestBarBytes: null,
        numaNode: n(g.numaNode),
        iommuGroup: n(g.iommuGroup),
        driver: n(g.driver),
        passthrough: g.passthrough as InventoryGpu["passthrough"],
        reasons: g.reasons,
        nics: g.nics.map(neighbourFrom),
        nvswitches: g.nvswitches.map(neighbourFrom),
        rootPort: n(g.rootPort),
        pcieSwitch: n(g.pcieSwitch),
      }),
    ),
    iommuGroups: m.iommuGroups.map((g) => ({ id: g.id, devices: g.devices, verdict: g.verdict as "safe" | "unsafe", reasons: g.reasons })),
    nvswitches: m.nvswitches,
    warnings: m.warnings,
    digest: m.digest,
  };
}
