// BEP-1051's KataKernelCreationContext: everything the agent decides before it touches containerd, for
// one kernel (one VM). The constructor validates the request against this host's [kata] configuration
// and renders the mount plan, the scratch config files, the OCI spec, the Kata annotations and the
// containerd labels; writeFiles() is its only I/O. The containerd driver takes it from there.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path/posix";
import { AppError } from "../../errors";
import { isPciAddress } from "../../domain/topology/pci-address";
import type { AgentConfig } from "../config/agent-config";
import {
  DEFAULT_INTRINSIC_PORTS,
  renderEnvironTxt,
  renderHostsFile,
  renderIntrinsicPortsJson,
  renderResourceTxt,
  type ClusterMember,
  type IntrinsicPorts,
} from "./config-files";
import { renderKataAnnotations, type RuntimeRequirement } from "./kata-annotations";
import { renderKernelLabels } from "./kernel-labels";
import { DEFAULT_TMPFS_BYTES, ociMountsOf, planIntrinsicMounts, type PlannedMount } from "./mount-plan";
import { renderOciSpec, type DeviceNumbers, type OciSpec } from "./oci-spec";
import { renderStorageMountsJson, resolveVfolders, type ResolvedVfolder, type VfolderSpec } from "./storage-mounts";

export interface VfioDeviceSpec {
  /** Canonical PCI address, e.g. 0000:41:00.0. */
  address: string;
  iommuGroup: number;
}

/** What CreateKernels carries for one kernel (Backend.AI's kernel config, in our names). */
export interface KernelCreationSpec {
  sessionId: string;
  kernelId: string;
  /** "main" or "sub". */
  clusterRole: string;
  clusterIdx: number;
  /** This kernel's name in the cluster: main1, sub1… */
  clusterHostname: string;
  clusterSize: number;
  /** Every member of the cluster, this kernel included; addresses may be unknown yet. */
  members: ClusterMember[];
  image: string;
  /** Batch sessions: what the runner executes once started (the agent sends it over the runner channel). */
  startupCommand: string | null;
  sessionType: "interactive" | "batch";
  slots: { cpu: number; memBytes: number };
  gpus: VfioDeviceSpec[];
  /** RDMA NICs co-attached to the GPUs (BEP A.11); none by default. */
  nics?: VfioDeviceSpec[];
  vfolders: VfolderSpec[];
  /** User environment; BACKENDAI_* names are reserved. */
  environ: Record<string, string>;
  /** The session's resource group asks for a confidential VM. */
  confidential: boolean;
  /** /tmp size in the guest; DEFAULT_TMPFS_BYTES when absent. */
  tmpfsBytes?: number;
  intrinsicPorts?: IntrinsicPorts;
  /** The container's process; DEFAULT_KERNEL_COMMAND when absent. */
  command?: string[];
}

export interface KataKernelCreationOptions {
  /** Where kernels' scratch directories live; `<state-dir>/scratch` when absent. */
  scratchRoot?: string;
  /** Host device numbers of /dev/vfio/* (stat(2) by the agent); see renderOciSpec. */
  deviceNumbers?: DeviceNumbers;
}

/**
 * Backend.AI's entrypoint (baked into the guest rootfs under CoCo) starting the kernel runner; the
 * entrypoint creates the user and drops to it with su-exec.
 */
export const DEFAULT_KERNEL_COMMAND = ["/opt/kernel/entrypoint.sh", "/opt/backend.ai/bin/python", "-s", "-m", "ai.backend.kernel"];

/** Scratch-relative paths of the files the context writes. */
export const CONFIG_FILES = {
  environ: "config/environ.txt",
  intrinsicPorts: "config/intrinsic-ports.json",
  resource: "config/resource.txt",
  hosts: "config/hosts",
  storageMounts: "config/storage-mounts.json",
} as const;

const MIB = 1024 * 1024;
/** Guest RAM below this cannot boot the guest kernel, kata-agent and the runner. */
export const MIN_MEMORY_BYTES = 256 * MIB;
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export class KataKernelCreationContext {
  readonly spec: KernelCreationSpec;
  /** True when the VM runs in a TEE: the host's runtime class decides (CoCo by default). */
  readonly confidential: boolean;
  readonly scratchDir: string;
  readonly vfolders: ResolvedVfolder[];
  readonly mountPlan: PlannedMount[];
  /** Scratch-relative path → content. */
  readonly files: Record<string, string>;
  readonly ociSpec: OciSpec;
  readonly annotations: Record<string, string>;
  readonly labels: Record<string, string>;
  /** Settings the runtime class's configuration.toml must have; the agent's preflight checks them. */
  readonly runtimeRequirements: RuntimeRequirement[];
  /** /dev/vfio paths still carrying placeholder device numbers. */
  readonly unresolvedDevices: string[];
  /** containerd runtime name, from kata-runtime-class. */
  readonly runtimeClass: string;
  readonly warnings: string[];

  /**
   * Validates and renders. Throws AppError:
   * BAD_INPUT for a malformed request (ids, PCI addresses, slots, cluster fields, environment, vfolder paths,
   * a batch session without a startup command); PRECONDITION_FAILED when this host cannot run it (more
   * GPUs than max-gpus-per-vm, confidential asked but confidential-guest off, a TEE on dragonball, devices
   * with hotplug-vfio = "no-port", a vfolder on no configured storage mount); GPU_IOMMU_GROUP_UNSAFE when
   * two devices share an IOMMU group.
   */
  constructor(config: AgentConfig, spec: KernelCreationSpec, options: KataKernelCreationOptions = {}) {
    const kata = config.kata;
    validateSpec(spec);
    const nics = spec.nics ?? [];
    const devices = [...spec.gpus, ...nics];

    if (spec.gpus.length > kata.maxGpusPerVm) {
      throw new AppError("PRECONDITION_FAILED", `${spec.gpus.length} GPUs asked for one VM; this agent's kata.max-gpus-per-vm is ${kata.maxGpusPerVm}`);
    }
    if (spec.confidential && !kata.confidentialGuest) {
      throw new AppError("PRECONDITION_FAILED", "the session asks for a confidential VM, but this agent has kata.confidential-guest = false");
    }
    const confidential = kata.confidentialGuest;
    if (confidential && kata.hypervisor === "dragonball") {
      throw new AppError("PRECONDITION_FAILED", 'kata.hypervisor "dragonball" has no TDX or SEV-SNP support, so it cannot run a confidential VM');
    }
    if (devices.length > 0 && kata.hotplugVfio === "no-port") {
      throw new AppError("PRECONDITION_FAILED", `${devices.length} device(s) to pass through, but kata.hotplug-vfio is "no-port", which turns VFIO off`);
    }
    const seenGroups = new Map<number, string>();
    const seenAddresses = new Set<string>();
    for (const d of devices) {
      if (seenAddresses.has(d.address)) throw new AppError("BAD_INPUT", `device ${d.address} is listed twice`);
      seenAddresses.add(d.address);
      const other = seenGroups.get(d.iommuGroup);
      if (other !== undefined) {
        throw new AppError("GPU_IOMMU_GROUP_UNSAFE", `${other} and ${d.address} are both in IOMMU group ${d.iommuGroup}; each passed-through device needs a group of its own`);
      }
      seenGroups.set(d.iommuGroup, d.address);
    }
    const vfioGroups = devices.map((d) => d.iommuGroup);

    this.spec = spec;
    this.confidential = confidential;
    this.runtimeClass = kata.kataRuntimeClass;
    const scratchRoot = options.scratchRoot ?? path.join(config.agent.stateDir, "scratch");
    this.scratchDir = path.join(scratchRoot, spec.kernelId);
    this.vfolders = resolveVfolders(spec.vfolders, kata.storageMounts);
    this.mountPlan = planIntrinsicMounts({
      scratchDir: this.scratchDir,
      tmpfsBytes: spec.tmpfsBytes ?? DEFAULT_TMPFS_BYTES,
      vfolders: this.vfolders,
      vfioGroups,
      sharedFs: kata.sharedFs,
    });

    const environ = buildEnviron(spec);
    this.files = {
      [CONFIG_FILES.environ]: renderEnvironTxt(environ),
      [CONFIG_FILES.intrinsicPorts]: renderIntrinsicPortsJson(spec.intrinsicPorts ?? DEFAULT_INTRINSIC_PORTS),
      [CONFIG_FILES.resource]: renderResourceTxt({
        sessionId: spec.sessionId,
        kernelId: spec.kernelId,
        clusterRole: spec.clusterRole,
        clusterIdx: spec.clusterIdx,
        slots: { cpu: spec.slots.cpu, memBytes: spec.slots.memBytes, "cuda.device": spec.gpus.length },
        gpuAddresses: spec.gpus.map((g) => g.address),
        iommuGroups: vfioGroups,
        nicAddresses: nics.map((n) => n.address),
        mounts: this.vfolders.map((v) => `${v.hostPath}:${v.mountPath}:${v.readOnly ? "ro" : "rw"}`),
        sandboxId: "",
        containerId: "",
      }),
      [CONFIG_FILES.hosts]: renderHostsFile(spec.members),
      [CONFIG_FILES.storageMounts]: renderStorageMountsJson(this.vfolders, kata.storageNic),
    };

    const rendered = renderKataAnnotations({
      kata,
      vcpus: Math.ceil(spec.slots.cpu),
      memoryMib: Math.ceil(spec.slots.memBytes / MIB),
      vfioDeviceCount: devices.length,
      gpuCount: spec.gpus.length,
      confidential,
    });
    this.annotations = rendered.annotations;
    this.runtimeRequirements = rendered.requirements;
    this.warnings = rendered.warnings;

    const oci = renderOciSpec({
      args: spec.command ?? DEFAULT_KERNEL_COMMAND,
      env: environ,
      cwd: "/home/work",
      hostname: spec.clusterHostname,
      planMounts: ociMountsOf(this.mountPlan),
      vfioGroups,
      deviceNumbers: options.deviceNumbers,
      annotations: this.annotations,
    });
    this.ociSpec = oci.spec;
    this.unresolvedDevices = oci.unresolvedDevices;
    this.labels = renderKernelLabels({
      sessionId: spec.sessionId,
      kernelId: spec.kernelId,
      clusterRole: spec.clusterRole,
      clusterIdx: spec.clusterIdx,
      pciAddresses: spec.gpus.map((g) => g.address),
      iommuGroups: vfioGroups,
      nicAddresses: nics.map((n) => n.address),
    });
  }

  /**
   * Writes every file under `scratchDir` (default: this.scratchDir), each atomically (temp file + rename)
   * so a crash never leaves a half-written environ.txt for the runner. Returns the absolute paths written.
   * Throws the file system's error (with its code) when a directory cannot be made or a file written.
   */
  async writeFiles(scratchDir: string = this.scratchDir): Promise<string[]> {
    const written: string[] = [];
    for (const [relative, content] of Object.entries(this.files)) {
      const target = path.join(scratchDir, relative);
      await mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      const temp = `${target}.tmp-${process.pid}`;
      await writeFile(temp, content, { mode: 0o644 });
      await rename(temp, target);
      written.push(target);
    }
    return written;
  }
}

function bad(message: string): never {
  throw new AppError("BAD_INPUT", message);
}

function validateSpec(spec: KernelCreationSpec): void {
  if (!ID.test(spec.sessionId)) bad(`session id ${JSON.stringify(spec.sessionId)} is not an id (letters, digits, ".", "_", "-")`);
  if (!ID.test(spec.kernelId)) bad(`kernel id ${JSON.stringify(spec.kernelId)} is not an id (letters, digits, ".", "_", "-")`);
  if (!Number.isInteger(spec.clusterSize) || spec.clusterSize < 1) bad(`cluster size ${spec.clusterSize} is not a positive integer`);
  if (!Number.isInteger(spec.clusterIdx) || spec.clusterIdx < 0) bad(`cluster index ${spec.clusterIdx} is not a non-negative integer`);
  if (spec.clusterIdx >= spec.clusterSize) bad(`cluster index ${spec.clusterIdx} is outside a cluster of ${spec.clusterSize}`);
  if (spec.members.length > 0 && !spec.members.some((m) => m.hostname === spec.clusterHostname)) {
    bad(`cluster hostname ${spec.clusterHostname} is not among the members (${spec.members.map((m) => m.hostname).join(", ")})`);
  }
  if (spec.members.length > spec.clusterSize) bad(`${spec.members.length} cluster members listed for a cluster of ${spec.clusterSize}`);
  if (spec.image.trim() === "") bad("image is empty");
  if (!(spec.slots.cpu > 0) || !Number.isFinite(spec.slots.cpu)) bad(`cpu ${spec.slots.cpu} is not a positive number`);
  if (!Number.isFinite(spec.slots.memBytes) || spec.slots.memBytes < MIN_MEMORY_BYTES) {
    bad(`memory ${spec.slots.memBytes} bytes is below the ${MIN_MEMORY_BYTES / MIB} MiB a VM needs`);
  }
  if (spec.tmpfsBytes !== undefined && !(spec.tmpfsBytes > 0)) bad(`tmpfs size ${spec.tmpfsBytes} is not positive`);
  if (spec.tmpfsBytes !== undefined && spec.tmpfsBytes > spec.slots.memBytes / 2) {
    bad(`/tmp of ${spec.tmpfsBytes} bytes would take more than half of the VM's ${spec.slots.memBytes} bytes of RAM`);
  }
  if (spec.sessionType === "batch" && (spec.startupCommand === null || spec.startupCommand.trim() === "")) {
    bad("a batch session needs a startup command");
  }
  if (spec.command !== undefined && spec.command.length === 0) bad("command is empty");
  for (const d of [...spec.gpus, ...(spec.nics ?? [])]) {
    if (!isPciAddress(d.address)) bad(`${JSON.stringify(d.address)} is not a PCI address like 0000:41:00.0`);
    if (!Number.isInteger(d.iommuGroup) || d.iommuGroup < 0) bad(`device ${d.address} has IOMMU group ${d.iommuGroup}, not a group number`);
  }
  for (const key of Object.keys(spec.environ)) {
    if (key.startsWith("BACKENDAI_")) bad(`environment variable ${key} is reserved: BACKENDAI_* names are set by the agent`);
  }
}

/** The intrinsic BACKENDAI_* variables first (Backend.AI's names), then the user's in their order. */
function buildEnviron(spec: KernelCreationSpec): [string, string][] {
  const hosts = spec.members.map((m) => m.hostname);
  return [
    ["BACKENDAI_SESSION_ID", spec.sessionId],
    ["BACKENDAI_KERNEL_ID", spec.kernelId],
    ["BACKENDAI_KERNEL_IMAGE", spec.image],
    ["BACKENDAI_SESSION_TYPE", spec.sessionType],
    ["BACKENDAI_CLUSTER_MODE", spec.clusterSize > 1 ? "multi-node" : "single-node"],
    ["BACKENDAI_CLUSTER_ROLE", spec.clusterRole],
    ["BACKENDAI_CLUSTER_IDX", String(spec.clusterIdx)],
    ["BACKENDAI_CLUSTER_HOST", spec.clusterHostname],
    ["BACKENDAI_CLUSTER_SIZE", String(spec.clusterSize)],
    ["BACKENDAI_CLUSTER_HOSTS", hosts.join(",")],
    // Selects the Kata variant of entrypoint.sh: no LD_PRELOAD, no agent.sock (BEP A.7).
    ["BACKENDAI_CONTAINER_BACKEND", "kata"],
    ...Object.entries(spec.environ),
  ];
}
