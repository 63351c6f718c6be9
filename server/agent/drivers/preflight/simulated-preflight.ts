// Preflight for a simulated host (`npm start`): the host is a fake sysfs tree, not a machine, so only
// what the tree holds is checked for real (the IOMMU, from its groups and units). Every other check
// passes with evidence that says so and what a real host would need, so nobody mistakes a simulated
// host's checklist for a verified one. Nothing is fatal: a simulated host without an IOMMU exists to
// show GPUs that cannot be passed through, and must still start.
import { readdir } from "node:fs/promises";
import path from "node:path";
import type { Preflight, PreflightCheck } from "../../host-services";
import { HostPreflight, KATA_RUNTIME_TYPE, REQUIRED_MODULES, type PreflightKataConfig } from "./host-preflight";

export interface SimulatedPreflightOptions {
  /** The simulated host's fake sysfs tree. */
  sysfsRoot: string;
  kata: PreflightKataConfig;
}

const SIMULATED = "simulated host:";

export class SimulatedPreflight implements Preflight {
  constructor(private readonly opts: SimulatedPreflightOptions) {}

  /** Runs every check. Never throws: an unreadable tree reports the IOMMU check as fail with why. */
  async run(): Promise<PreflightCheck[]> {
    const { kata } = this.opts;
    const needs: Record<string, string> = {
      kvm: "/dev/kvm opening read-write",
      "cpu-virtualization": "vmx or svm in /proc/cpuinfo",
      "iommu-passthrough": "iommu=pt on the kernel command line",
      "containerd-socket": `containerd listening on ${kata.containerdSocket}`,
      "kata-runtime": `a containerd runtime "${kata.kataRuntimeClass}" with runtime_type "${KATA_RUNTIME_TYPE}"`,
      "guest-kernel": `a readable guest kernel at ${kata.kernelPath}`,
      "guest-image": `a readable guest ${kata.initrdPath ? `initrd at ${kata.initrdPath}` : `rootfs image at ${kata.rootfsPath}`}`,
      virtiofsd: kata.sharedFs === "virtio-fs" ? `an executable virtiofsd at ${kata.virtiofsdPath}` : `nothing (shared-fs = "${kata.sharedFs}")`,
      hugepages: "hugepages reserved when Kata's enable_hugepages is set",
      "confidential-computing": kata.confidentialGuest
        ? `${kata.guestAttestation === "tdx" ? "TDX (kvm_intel parameter tdx = Y)" : "SEV-SNP (kvm_amd parameter sev_snp = Y)"} for confidential guests`
        : "nothing (confidential-guest = false)",
      "gpu-bars": "the GPUs' BARs to fit the CPU's physical address space",
    };
    for (const m of REQUIRED_MODULES) needs[`module-${m.replace(/_/g, "-")}`] = `the ${m} module loaded`;
    const catalog = new HostPreflight({ kata }).catalog();
    const iommu = await this.iommu();
    return catalog.map(({ id, title }) =>
      id === "iommu" ? { id, title, ...iommu } : { id, title, fatal: false, status: "pass", evidence: `${SIMULATED} not checked; a real host needs ${needs[id] ?? "this check to pass"}`, fix: "" },
    );
  }

  private async iommu(): Promise<Omit<PreflightCheck, "id" | "title">> {
    const list = (rel: string) => readdir(path.join(this.opts.sysfsRoot, rel)).catch(() => [] as string[]);
    const [groups, units] = await Promise.all([list("kernel/iommu_groups"), list("class/iommu")]);
    const evidence = `${SIMULATED} the simulated tree has ${groups.length} IOMMU group${groups.length === 1 ? "" : "s"} and ${units.length} IOMMU unit${units.length === 1 ? "" : "s"}`;
    if (groups.length > 0) return { fatal: false, status: "pass", evidence, fix: "" };
    return {
      fatal: false,
      status: "fail",
      evidence: `${evidence}; on a real host this check is fatal and the agent would not start`,
      fix: "(on a real host) enable VT-d/AMD-Vi in the firmware and boot with intel_iommu=on iommu=pt or amd_iommu=on iommu=pt",
    };
  }
}
