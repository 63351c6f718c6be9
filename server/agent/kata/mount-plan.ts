// BEP-1051's intrinsic mount evaluation (A.8) as data: every mount a Docker kernel gets, and what a Kata
// kernel does instead. The guest runs its own kernel, so host-kernel tricks (lxcfs, libbaihook, jail) are
// unnecessary, and Unix sockets and Docker volumes cannot cross the VM boundary. Under CoCo the host must
// not be a source of executables, so only host-written *configuration* crosses, over one virtio-fs share.
import type { ResolvedVfolder } from "./storage-mounts";

export type MountVerdict = "keep" | "change" | "skip" | "different";

/** An OCI runtime-spec mount. */
export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface PlannedMount {
  /** Stable id: "home-config", "tmp", "vfolder:<name>"… */
  id: string;
  /** The mount as Docker kernels have it. */
  dockerTarget: string;
  verdict: MountVerdict;
  /** What the Kata kernel does instead, in words. */
  kata: string;
  reason: string;
  /** The OCI mount this entry adds to the spec; null when it adds none. */
  oci: OciMount | null;
}

export interface MountPlanInput {
  /** The kernel's scratch directory on the host (its config/ subdirectory is shared). */
  scratchDir: string;
  /** Size of the guest tmpfs at /tmp, in bytes. */
  tmpfsBytes: number;
  vfolders: readonly ResolvedVfolder[];
  /** IOMMU groups of the devices passed through (GPUs and co-attached NICs). */
  vfioGroups: readonly number[];
  sharedFs: "virtio-fs" | "virtio-9p";
}

/** The BEP's sample gives /tmp 64 MiB (`size=65536k`); it comes out of the VM's RAM. */
export const DEFAULT_TMPFS_BYTES = 64 * 1024 * 1024;

/**
 * Every intrinsic mount with its verdict and reason, then one entry per vfolder. Pure; never throws
 * (inputs are validated by resolveVfolders and the creation context).
 */
export function planIntrinsicMounts(input: MountPlanInput): PlannedMount[] {
  const configDir = `${input.scratchDir.replace(/\/+$/, "")}/config`;
  const tmpKib = Math.max(1, Math.ceil(input.tmpfsBytes / 1024));
  const workVfolder = input.vfolders.find((v) => v.mountPath === "/home/work");
  const entries: PlannedMount[] = [
    {
      id: "home-config",
      dockerTarget: "/home/config (host bind of scratch/config, read-only)",
      verdict: "keep",
      kata: `${input.sharedFs} share of ${configDir}, read-only`,
      reason: "host-written configuration (environ.txt, intrinsic-ports.json, storage-mounts.json) must reach the guest; the only host→guest share left",
      oci: { destination: "/home/config", type: "bind", source: configDir, options: ["rbind", "ro", "nosuid", "nodev", "noexec"] },
    },
    {
      id: "etc-hosts",
      dockerTarget: "/etc/hosts (Docker-managed)",
      verdict: "keep",
      kata: `config/hosts over the same ${input.sharedFs} share, read-only`,
      reason: "cluster members find each other by name; Calico has no DNS, and a CoreDNS sidecar was rejected (A.10)",
      oci: { destination: "/etc/hosts", type: "bind", source: `${configDir}/hosts`, options: ["rbind", "ro", "nosuid", "nodev", "noexec"] },
    },
    workVfolder
      ? {
          id: "home-work",
          dockerTarget: "/home/work (host bind of scratch/work)",
          verdict: "change",
          kata: `vfolder "${workVfolder.name}" mounted by the guest (see vfolder:${workVfolder.name})`,
          reason: "the session asked for a vfolder as its home; nothing crosses from host scratch",
          oci: null,
        }
      : {
          id: "home-work",
          dockerTarget: "/home/work (host bind of scratch/work)",
          verdict: "change",
          kata: "a directory on the guest's own disk (the container's writable layer); vfolders are mounted below it",
          reason: "no longer virtio-fs in the final design; what is written outside vfolders is lost when the VM ends and the host cannot read it (A.17 #8)",
          oci: null,
        },
    {
      id: "tmp",
      dockerTarget: "/tmp (host tmpfs)",
      verdict: "change",
      kata: `tmpfs in guest RAM, ${tmpKib}k`,
      reason: "ephemeral data need not cross the VM boundary",
      oci: { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", `size=${tmpKib}k`] },
    },
    {
      id: "timezone",
      dockerTarget: "/etc/localtime, /etc/timezone (host bind)",
      verdict: "change",
      kata: "baked into the attested guest rootfs",
      reason: "under CoCo nothing but configuration comes from the host; the BEP's matrix still says KEEP, its CoCo text says baked (A.17 #1)",
      oci: null,
    },
    {
      id: "lxcfs",
      dockerTarget: "/proc/{cpuinfo,meminfo,…}, /sys/devices/system/cpu (lxcfs binds)",
      verdict: "skip",
      kata: "none",
      reason: "the guest kernel already reports the VM's own vCPUs and memory",
      oci: null,
    },
    {
      id: "libbaihook",
      dockerTarget: "/opt/kernel/libbaihook.so + LD_PRELOAD",
      verdict: "skip",
      kata: "none; the Kata entrypoint sets no LD_PRELOAD",
      reason: "sysconf() in the guest already returns the vCPU count",
      oci: null,
    },
    {
      id: "jail",
      dockerTarget: "/opt/kernel/jail (ptrace sandbox)",
      verdict: "skip",
      kata: "none",
      reason: "the KVM boundary is stronger than the ptrace jail",
      oci: null,
    },
    {
      id: "agent-socket",
      dockerTarget: "/opt/kernel/agent.sock (Unix socket bind)",
      verdict: "skip",
      kata: "none, with its socat relay and handler",
      reason: "only the jail and C binaries used it for PID translation; Unix sockets cannot cross the VM boundary",
      oci: null,
    },
    {
      id: "socket-proxies",
      dockerTarget: "domain-socket proxies (Unix socket binds)",
      verdict: "skip",
      kata: "none (deferred)",
      reason: "Unix sockets cannot cross the VM boundary",
      oci: null,
    },
    {
      id: "core-dumps",
      dockerTarget: "core dump directory (host core_pattern + bind)",
      verdict: "change",
      kata: "guest core_pattern to a guest-local path (/home/work/.coredumps)",
      reason: "the guest kernel has its own core_pattern",
      oci: null,
    },
    {
      id: "krunner-volume",
      dockerTarget: "/opt/backend.ai (Docker named volume per distro)",
      verdict: "change",
      kata: "baked into the attested guest rootfs",
      reason: "containerd has no Docker volumes, and under CoCo the host may not supply executables",
      oci: null,
    },
    {
      id: "krunner-binaries",
      dockerTarget: "/opt/kernel/* (15+ single-file binds: entrypoint.sh, su-exec, dropbear, tmux, ttyd…)",
      verdict: "change",
      kata: "baked into the attested guest rootfs",
      reason: "under CoCo the host may not supply executables; the BEP's matrix still says KEEP via virtio-fs (A.17 #1)",
      oci: null,
    },
    {
      id: "python-libs",
      dockerTarget: "ai.backend.kernel, ai.backend.helpers (binds)",
      verdict: "change",
      kata: "baked into the attested guest rootfs",
      reason: "same as the runner binaries: code must be measured, not shared from the host (A.17 #1)",
      oci: null,
    },
    {
      id: "samples",
      dockerTarget: "/home/work/samples (Docker volume)",
      verdict: "skip",
      kata: "none",
      reason: "deprecated in Backend.AI",
      oci: null,
    },
    {
      id: "accelerator-hooks",
      dockerTarget: "/opt/kernel/<hook>.so + DeviceRequests (NVIDIA container toolkit)",
      verdict: "different",
      kata:
        input.vfioGroups.length === 0
          ? "no devices: this kernel has no GPUs"
          : `VFIO passthrough: /dev/vfio/vfio and ${input.vfioGroups.map((g) => `/dev/vfio/${g}`).join(", ")}`,
      reason: "whole GPUs are passed through by VFIO and visible natively in the guest; no host hooks or driver",
      oci: null,
    },
  ];
  for (const v of input.vfolders) {
    entries.push({
      id: `vfolder:${v.name}`,
      dockerTarget: `${v.mountPath} (host bind of ${v.hostPath})`,
      verdict: "change",
      kata: `guest mounts ${v.volume.fsType} ${v.volume.source} at ${v.volume.mountpoint}${v.readOnly ? " read-only" : ""}, then binds it to ${v.mountPath} (storage-mounts.json)`,
      reason: "virtio-fs would break RDMA and add FUSE overhead; the guest's own NFS/Lustre client keeps native throughput",
      oci: null,
    });
  }
  return entries;
}

/** The OCI mounts a plan adds, in plan order. */
export function ociMountsOf(plan: readonly PlannedMount[]): OciMount[] {
  return plan.flatMap((p) => (p.oci ? [p.oci] : []));
}
