// The OCI runtime spec (config.json) for one Kata kernel. Kata reads it on the host to size and boot the
// VM and hands the container part to the kata-agent in the guest. Mounts come from the mount plan;
// /dev/vfio entries tell Kata which IOMMU groups to pass through.
import type { OciMount } from "./mount-plan";

export interface OciDevice {
  path: string;
  type: "c";
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: { bounding: string[]; effective: string[]; permitted: string[] };
    rlimits: { type: string; hard: number; soft: number }[];
    noNewPrivileges: boolean;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  annotations: Record<string, string>;
  linux: {
    namespaces: { type: string }[];
    devices: OciDevice[];
    resources: { devices: { allow: boolean; type: "c"; major: number; minor: number; access: string }[] };
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

/** /dev/vfio/vfio is the misc device 10:196 on every Linux (VFIO_MINOR in include/linux/miscdevice.h). */
export const VFIO_CONTAINER_DEVICE = { path: "/dev/vfio/vfio", major: 10, minor: 196 } as const;

export type DeviceNumbers = Record<string, { major: number; minor: number }>;

/**
 * Docker's default capability set: what Backend.AI kernels have had, and no CAP_SYS_ADMIN, so the
 * container cannot remount the guest's storage (BEP A.1).
 */
export const DEFAULT_CAPABILITIES = [
  "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID", "CAP_SETUID",
  "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
];

/** The mounts every Linux container needs, as containerd's default spec has them. */
export const BASE_MOUNTS: OciMount[] = [
  { destination: "/proc", type: "proc", source: "proc", options: ["nosuid", "noexec", "nodev"] },
  { destination: "/dev", type: "tmpfs", source: "tmpfs", options: ["nosuid", "strictatime", "mode=755", "size=65536k"] },
  { destination: "/dev/pts", type: "devpts", source: "devpts", options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
  { destination: "/dev/shm", type: "tmpfs", source: "shm", options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"] },
  { destination: "/dev/mqueue", type: "mqueue", source: "mqueue", options: ["nosuid", "noexec", "nodev"] },
  { destination: "/sys", type: "sysfs", source: "sysfs", options: ["nosuid", "noexec", "nodev", "ro"] },
  { destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup", options: ["ro", "nosuid", "noexec", "nodev"] },
];

export interface OciSpecInput {
  args: string[];
  env: ReadonlyArray<readonly [string, string]>;
  cwd: string;
  hostname: string;
  /** Mounts from the plan (config share, hosts, /tmp); BASE_MOUNTS go first. */
  planMounts: readonly OciMount[];
  /** IOMMU groups to pass through, each once. */
  vfioGroups: readonly number[];
  /**
   * Host device numbers by path, read by the agent with stat(2). /dev/vfio/<group> majors are dynamic,
   * so a group missing here gets 0:0 and is listed in `unresolvedDevices` for the agent to fill.
   */
  deviceNumbers?: DeviceNumbers;
  annotations: Record<string, string>;
}

export interface OciSpecResult {
  spec: OciSpec;
  /** Device paths whose numbers are placeholders (0:0) because deviceNumbers did not give them. */
  unresolvedDevices: string[];
}

/** The /dev/vfio paths for a set of IOMMU groups: the container device first, then each group. */
export function vfioDevicePaths(groups: readonly number[]): string[] {
  return groups.length === 0 ? [] : [VFIO_CONTAINER_DEVICE.path, ...groups.map((g) => `/dev/vfio/${g}`)];
}

/** Renders the spec. Pure; never throws (inputs are validated by the creation context). */
export function renderOciSpec(input: OciSpecInput): OciSpecResult {
  const unresolvedDevices: string[] = [];
  const devices: OciDevice[] = vfioDevicePaths(input.vfioGroups).map((path) => {
    const known = input.deviceNumbers?.[path] ?? (path === VFIO_CONTAINER_DEVICE.path ? VFIO_CONTAINER_DEVICE : undefined);
    if (!known) unresolvedDevices.push(path);
    return { path, type: "c", major: known?.major ?? 0, minor: known?.minor ?? 0, fileMode: 0o666, uid: 0, gid: 0 };
  });
  const hasPath = input.env.some(([k]) => k === "PATH");
  const env = [
    ...(hasPath ? [] : ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]),
    ...input.env.map(([k, v]) => `${k}=${v}`),
  ];
  const spec: OciSpec = {
    ociVersion: "1.1.0",
    process: {
      terminal: false,
      // The entrypoint starts as root to create the user, then drops privileges with su-exec (BEP A.7).
      user: { uid: 0, gid: 0 },
      args: [...input.args],
      env,
      cwd: input.cwd,
      capabilities: { bounding: [...DEFAULT_CAPABILITIES], effective: [...DEFAULT_CAPABILITIES], permitted: [...DEFAULT_CAPABILITIES] },
      rlimits: [{ type: "RLIMIT_NOFILE", hard: 1048576, soft: 1048576 }],
      noNewPrivileges: false,
    },
    root: { path: "rootfs", readonly: false },
    hostname: input.hostname,
    mounts: [...BASE_MOUNTS.map((m) => ({ ...m, options: [...m.options] })), ...input.planMounts],
    annotations: { ...input.annotations },
    linux: {
      // No network namespace path: containerd puts the task in the sandbox's namespace, where Calico's
      // veth lives and Kata mirrors it into the VM.
      namespaces: [{ type: "pid" }, { type: "ipc" }, { type: "uts" }, { type: "mount" }, { type: "network" }],
      devices,
      // No CPU or memory limits on purpose: the VM is sized by the annotations (see kata-annotations.ts).
      resources: { devices: devices.map((d) => ({ allow: true, type: "c", major: d.major, minor: d.minor, access: "rwm" })) },
      maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware"],
      readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"],
    },
  };
  return { spec, unresolvedDevices };
}
