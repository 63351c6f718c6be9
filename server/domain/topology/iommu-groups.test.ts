import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { judgeIommuGroup, type GroupMember } from "./iommu-groups";

const gpu = (address: string, deviceId = "2330"): GroupMember => ({ address, vendorId: "10de", deviceId, classCode: "0302" });
const audio = (address: string): GroupMember => ({ address, vendorId: "10de", deviceId: "22ba", classCode: "0403" });
const bridge = (address: string): GroupMember => ({ address, vendorId: "1022", deviceId: "14ab", classCode: "0604" });

describe("judgeIommuGroup", () => {
  it("a GPU alone is safe", () => {
    expect(judgeIommuGroup(18, [gpu("0000:19:00.0")])).toEqual({ verdict: "safe", reasons: [] });
  });

  it("a GPU with its audio function and the root port above it is safe", () => {
    const g = [bridge("0000:00:01.1"), { ...gpu("0000:01:00.0", "26b1"), classCode: "0300" }, audio("0000:01:00.1")];
    expect(judgeIommuGroup(1, g).verdict).toBe("safe");
  });

  it("a GPU sharing its group with a NIC is unsafe, and says with what", () => {
    const g = [gpu("0000:e1:00.0"), audio("0000:e1:00.1"), { address: "0000:e1:00.2", vendorId: "8086", deviceId: "1593", classCode: "0200" }];
    expect(judgeIommuGroup(33, g)).toEqual({
      verdict: "unsafe",
      reasons: ["shares group 33 with network controller 0000:e1:00.2 (8086:1593)"],
    });
  });

  it("an audio function that is not a GPU's own is not accepted", () => {
    const chipsetAudio = { address: "0000:00:1f.3", vendorId: "8086", deviceId: "a170", classCode: "0403" };
    expect(judgeIommuGroup(10, [gpu("0000:01:00.0"), chipsetAudio]).reasons).toEqual([
      "shares group 10 with multimedia controller 0000:00:1f.3 (8086:a170)",
    ]);
    const otherSlot = audio("0000:02:00.1");
    expect(judgeIommuGroup(10, [gpu("0000:01:00.0"), otherSlot]).verdict).toBe("unsafe");
  });

  it("NVSwitches and a GPU's USB-C functions make a group unsafe (VFIO would hand them over too)", () => {
    const nvswitch = { address: "0000:83:00.0", vendorId: "10de", deviceId: "22a3", classCode: "0680" };
    expect(judgeIommuGroup(5, [gpu("0000:19:00.0"), nvswitch]).reasons).toEqual(["shares group 5 with bridge 0000:83:00.0 (10de:22a3)"]);
    const usb = { address: "0000:2b:00.2", vendorId: "10de", deviceId: "1ad8", classCode: "0c03" };
    expect(judgeIommuGroup(14, [gpu("0000:2b:00.0", "1e84"), usb]).reasons).toEqual(["shares group 14 with serial bus controller 0000:2b:00.2 (10de:1ad8)"]);
  });

  it("a group without a GPU is unsafe for GPU passthrough, listing what it holds", () => {
    expect(judgeIommuGroup(11, [{ address: "0000:00:1f.6", vendorId: "8086", deviceId: "15b8", classCode: "0200" }])).toEqual({
      verdict: "unsafe",
      reasons: ["group 11 holds no GPU", "holds network controller 0000:00:1f.6 (8086:15b8)"],
    });
    expect(judgeIommuGroup(2, [bridge("0000:00:01.0")]).reasons).toEqual(["group 2 holds no GPU"]);
    expect(judgeIommuGroup(3, []).verdict).toBe("unsafe");
  });

  it("a member whose class or IDs could not be read is unsafe, not an error", () => {
    const unknown = { address: "0000:02:00.0", vendorId: null, deviceId: null, classCode: null };
    expect(judgeIommuGroup(4, [gpu("0000:01:00.0"), unknown]).reasons).toEqual([
      "shares group 4 with a device whose class could not be read 0000:02:00.0 (????:????)",
    ]);
  });

  // The rule restated as plainly as possible, for the properties below.
  const acceptable = (m: GroupMember, all: readonly GroupMember[]) => {
    const isGpu = m.vendorId === "10de" && (m.classCode === "0300" || m.classCode === "0302");
    const gpuSlots = all.filter((x) => x.vendorId === "10de" && (x.classCode === "0300" || x.classCode === "0302")).map((x) => x.address.slice(0, -2));
    const ownAudio = m.classCode === "0403" && m.vendorId === "10de" && gpuSlots.includes(m.address.slice(0, -2));
    return isGpu || m.classCode === "0604" || ownAudio;
  };

  const memberArb = fc.record({
    bus: fc.integer({ min: 0, max: 3 }),
    fn: fc.integer({ min: 0, max: 3 }),
    vendorId: fc.constantFrom("10de", "8086", "15b3", "1022", null),
    deviceId: fc.constantFrom("2330", "1593", "22ba", null),
    classCode: fc.constantFrom("0300", "0302", "0403", "0604", "0200", "0207", "0680", "0c03", "0108", null),
  });
  const groupArb = fc
    .uniqueArray(memberArb, { minLength: 0, maxLength: 8, selector: (m) => `${m.bus}.${m.fn}` })
    .map((ms) => ms.map(({ bus, fn, ...rest }): GroupMember => ({ address: `0000:0${bus}:00.${fn}`, ...rest })));

  it("property: safe exactly when there is a GPU and every member is a GPU, its own audio function or a bridge", () => {
    fc.assert(
      fc.property(groupArb, fc.integer({ min: 0, max: 500 }), (members, id) => {
        const expectedSafe = members.some((m) => m.vendorId === "10de" && (m.classCode === "0300" || m.classCode === "0302")) && members.every((m) => acceptable(m, members));
        const j = judgeIommuGroup(id, members);
        expect(j.verdict).toBe(expectedSafe ? "safe" : "unsafe");
        expect(j.reasons.length === 0).toBe(expectedSafe);
        for (const m of members) if (!acceptable(m, members)) expect(j.reasons.some((r) => r.includes(m.address))).toBe(true);
      }),
    );
  });

  it("property: member order does not change the judgement", () => {
    fc.assert(
      fc.property(groupArb.chain((ms) => fc.tuple(fc.constant(ms), fc.shuffledSubarray(ms, { minLength: ms.length, maxLength: ms.length }))), ([a, b]) => {
        expect(judgeIommuGroup(7, b)).toEqual(judgeIommuGroup(7, a));
      }),
    );
  });

  it("property: adding a foreign device to a safe group always makes it unsafe, naming that device", () => {
    const foreignArb = fc.record({
      vendorId: fc.constantFrom("8086", "15b3", "1000", "10de"),
      classCode: fc.constantFrom("0200", "0207", "0108", "0c03", "0680", "0403"),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), foreignArb, (gpus, foreign) => {
        const safe = Array.from({ length: gpus }, (_, i) => [gpu(`0000:0${i + 1}:00.0`), audio(`0000:0${i + 1}:00.1`)]).flat();
        expect(judgeIommuGroup(9, safe).verdict).toBe("safe");
        const intruder = { address: "0000:0f:00.0", deviceId: "abcd", ...foreign };
        const j = judgeIommuGroup(9, [...safe, intruder]);
        expect(j.verdict).toBe("unsafe");
        expect(j.reasons).toEqual([expect.stringContaining("0000:0f:00.0")]);
      }),
    );
  });
});
