import { describe, expect, it } from "vitest";
import { IOMMU_OFF_REASON, judgePassthrough, type PassthroughMember } from "./passthrough";

const gpu = (driver: string | null): PassthroughMember => ({ address: "0000:19:00.0", vendorId: "10de", classCode: "0302", driver });
const audio = (driver: string | null): PassthroughMember => ({ address: "0000:19:00.1", vendorId: "10de", classCode: "0403", driver });
const port: PassthroughMember = { address: "0000:17:01.0", vendorId: "1000", classCode: "0604", driver: "pcieport" };
const safe = { verdict: "safe" as const, reasons: [] };

describe("judgePassthrough", () => {
  it("is ready when the group is safe and every non-bridge member is on vfio-pci", () => {
    expect(judgePassthrough({ gpuAddress: "0000:19:00.0", iommuEnabled: true, groupId: 18, group: safe, members: [port, gpu("vfio-pci"), audio("vfio-pci")] })).toEqual({
      state: "ready",
      reasons: [],
    });
  });

  it("needs vfio-pci while the GPU or its audio function is on another driver or none", () => {
    const v = judgePassthrough({ gpuAddress: "0000:19:00.0", iommuEnabled: true, groupId: 18, group: safe, members: [gpu("nvidia"), audio(null)] });
    expect(v.state).toBe("needs-vfio");
    expect(v.reasons).toEqual([
      "0000:19:00.0 is bound to nvidia, not vfio-pci",
      "0000:19:00.1 has no driver bound; it must be bound to vfio-pci",
    ]);
  });

  it("reports an unsafe group with the group's reasons, whatever the drivers", () => {
    const group = { verdict: "unsafe" as const, reasons: ["shares group 33 with network controller 0000:e2:00.0 (8086:1593)"] };
    expect(judgePassthrough({ gpuAddress: "0000:19:00.0", iommuEnabled: true, groupId: 33, group, members: [gpu("vfio-pci")] })).toEqual({
      state: "unsafe-group",
      reasons: group.reasons,
    });
  });

  it("is no-iommu on a host with the IOMMU off, and for a GPU without a group", () => {
    expect(judgePassthrough({ gpuAddress: "0000:19:00.0", iommuEnabled: false, groupId: null, group: null, members: [] })).toEqual({
      state: "no-iommu",
      reasons: [IOMMU_OFF_REASON],
    });
    const v = judgePassthrough({ gpuAddress: "0000:19:00.0", iommuEnabled: true, groupId: null, group: null, members: [] });
    expect(v.state).toBe("no-iommu");
    expect(v.reasons[0]).toContain("0000:19:00.0 has no IOMMU group");
  });
});
