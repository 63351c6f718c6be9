import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { buildFakeSysfs, type FakeHostSpec } from "../pci/fake-sysfs";
import { HostPreflight, type PreflightKataConfig } from "./host-preflight";
import { SimulatedPreflight } from "./simulated-preflight";

const KATA: PreflightKataConfig = {
  kernelPath: "/opt/kata/share/kata-containers/vmlinux.container",
  initrdPath: null,
  rootfsPath: "/opt/kata/share/kata-containers/kata-containers.img",
  sharedFs: "virtio-fs",
  virtiofsdPath: "/opt/kata/libexec/virtiofsd",
  containerdSocket: "/run/containerd/containerd.sock",
  kataRuntimeClass: "kata",
  confidentialGuest: true,
  guestAttestation: "sev-snp",
  maxGpusPerVm: 8,
};

const spec = (iommu: boolean): FakeHostSpec => ({
  hostname: iommu ? "sim-iommu" : "sim-no-iommu",
  description: "one GPU",
  source: "hand-written for the simulated preflight tests",
  iommu: iommu ? { units: ["ivhd0"] } : null,
  devices: [{ address: "0000:01:00.0", vendor: "10de", device: "26b1", class: "030000", driver: "vfio-pci", ...(iommu ? { iommuGroup: 7 } : {}) }],
});

describe("SimulatedPreflight", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const tree = (iommu: boolean) => {
    const d = mkdtempSync(path.join(os.tmpdir(), "sim-preflight-"));
    dirs.push(d);
    buildFakeSysfs(spec(iommu), d);
    return d;
  };

  it("has the real checklist's checks, labels the unchecked ones as simulated, and checks the IOMMU from the tree", async () => {
    const checks = await new SimulatedPreflight({ sysfsRoot: tree(true), kata: KATA }).run();
    expect(checks.map((c) => c.id)).toEqual(new HostPreflight({ kata: KATA }).catalog().map((c) => c.id));
    for (const c of checks) expect(c).toMatchObject({ status: "pass", fatal: false, evidence: expect.stringMatching(/^simulated host: /) });
    expect(checks.find((c) => c.id === "iommu")!.evidence).toMatch(/1 IOMMU group and 1 IOMMU unit/);
    expect(checks.find((c) => c.id === "confidential-computing")!.evidence).toMatch(/SEV-SNP/);
  });

  it("fails the IOMMU check of a tree without one, but not fatally (the host must still start)", async () => {
    const iommu = (await new SimulatedPreflight({ sysfsRoot: tree(false), kata: KATA }).run()).find((c) => c.id === "iommu")!;
    expect(iommu).toMatchObject({ status: "fail", fatal: false, evidence: expect.stringMatching(/0 IOMMU groups.*fatal and the agent would not start/) });
  });
});
