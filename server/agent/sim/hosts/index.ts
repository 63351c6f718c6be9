// The simulated hosts of `npm start` and `hypercell-agent inventory --sim <hostname>`. Each is a host
// definition derived from a real capture; fake-sysfs.ts turns it into a sysfs tree that the real
// SysfsPciBus reads.
import type { FakeHostSpec } from "../../drivers/pci/fake-sysfs";
import { cpuOnly } from "./cpu-only";
import { hgxH100 } from "./hgx-h100";
import { iommuOff } from "./iommu-off";
import { pcie4Gpu } from "./pcie-4gpu";

export { HGX_NVIDIA_BOUND_GPU } from "./hgx-h100";
export { PCIE_UNSAFE_GPU } from "./pcie-4gpu";

const HOSTS: readonly FakeHostSpec[] = [hgxH100, pcie4Gpu, cpuOnly, iommuOff];

/** Every simulated host, in the order `npm start` launches them. */
export function listSimHosts(): readonly FakeHostSpec[] {
  return HOSTS;
}

/** The host with this hostname, or null. */
export function getSimHost(hostname: string): FakeHostSpec | null {
  return HOSTS.find((h) => h.hostname === hostname) ?? null;
}
