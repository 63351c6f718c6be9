// Where preflight reads the host from. Every path is under one of four roots so tests can build a
// fake /proc, /sys, /dev and /etc in temp directories and run the real checks against them.
export interface HostFiles {
  /** Default "/proc": cpuinfo, cmdline, modules, meminfo. */
  procRoot: string;
  /** Default "/sys" (the agent's sysfs-root): kernel/iommu_groups, class/iommu, module/. */
  sysfsRoot: string;
  /** Default "/dev": kvm. */
  devRoot: string;
  /** Default "/etc": containerd/config.toml. */
  etcRoot: string;
}

export const REAL_HOST_FILES: HostFiles = { procRoot: "/proc", sysfsRoot: "/sys", devRoot: "/dev", etcRoot: "/etc" };
