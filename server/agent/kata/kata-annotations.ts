// Kata per-sandbox settings as OCI annotations. Every key here is one Kata documents
// (docs/how-to/how-to-set-sandbox-config-kata.md) or uses in its own policy test data (cc_init_data).
// Hypervisor annotations are refused by the runtime unless the runtime class's configuration.toml lists
// them in `enable_annotations` (Kata's CoCo defaults enable only default_vcpus, default_memory,
// kernel_params, kernel_verity_params, enable_iommu and cc_init_data), so the context also returns the
// configuration settings the runtime class must have; the agent's preflight compares them.
import { gzipSync } from "node:zlib";
import type { KataSection } from "../config/agent-config";

const HV = "io.katacontainers.config.hypervisor.";

export const KATA_ANNOTATION = {
  /** vCPUs the VM boots with (float32; we give whole vCPUs). */
  defaultVcpus: `${HV}default_vcpus`,
  /** Guest RAM in MiB. */
  defaultMemory: `${HV}default_memory`,
  /** VFIO cold-plug port: no-port | bridge-port | root-port | switch-port. */
  coldPlugVfio: `${HV}cold_plug_vfio`,
  /** VFIO hot-plug port (Go runtime only); not used under CoCo, where hot-plug weakens the TEE. */
  hotPlugVfio: `${HV}hot_plug_vfio`,
  /** Number of PCIe root ports to create (QEMU q35). */
  pcieRootPort: `${HV}pcie_root_port`,
  /** Where OCI hooks live in the guest rootfs (our storage prestart hook). */
  guestHookPath: `${HV}guest_hook_path`,
  /** virtio-fs DAX window in MiB; 0 = DAX off. */
  virtioFsCacheSize: `${HV}virtio_fs_cache_size`,
  /** gzip+base64 initdata TOML (attestation agent and CDH settings, measured into the TEE). */
  ccInitData: `${HV}cc_init_data`,
  /** "module params; module…" loaded in the guest with modprobe. */
  kernelModules: "io.katacontainers.config.agent.kernel_modules",
  /** Seconds the runtime waits for CreateContainer (guest image pull, BAR mapping). */
  createContainerTimeout: "io.katacontainers.config.runtime.create_container_timeout",
} as const;

/** A configuration.toml setting the runtime class must have for this spec to work. */
export interface RuntimeRequirement {
  /** The TOML key in Kata's [hypervisor.*] or [runtime] table. */
  option: string;
  /** What it must be: an exact value, or a description such as ">= 4" or "contains default_vcpus, …". */
  value: string;
  why: string;
}

export interface KataAnnotationInput {
  kata: KataSection;
  vcpus: number;
  memoryMib: number;
  /** Devices passed through (GPUs and co-attached NICs). */
  vfioDeviceCount: number;
  gpuCount: number;
  confidential: boolean;
}

export interface KataAnnotationResult {
  annotations: Record<string, string>;
  requirements: RuntimeRequirement[];
  warnings: string[];
}

/**
 * Initdata (Kata's cc_init_data) telling the guest's attestation agent and confidential data hub where the
 * KBS is. The agent policy is deliberately absent: it is baked into the attested rootfs (BEP A.14), and a
 * policy in initdata would replace it. Returns the TOML text.
 */
export function renderInitdataToml(kbsEndpoint: string): string {
  const url = JSON.stringify(kbsEndpoint);
  return [
    'version = "0.1.0"',
    'algorithm = "sha256"',
    "",
    "[data]",
    `"aa.toml" = '''`,
    "[token_configs]",
    "[token_configs.kbs]",
    `url = ${url}`,
    "'''",
    "",
    `"cdh.toml" = '''`,
    "socket = 'unix:///run/confidential-containers/cdh.sock'",
    "credentials = []",
    "",
    "[kbc]",
    "name = 'cc_kbc'",
    `url = ${url}`,
    "'''",
    "",
  ].join("\n");
}

/** Initdata as the annotation carries it: gzip, then base64 (the form of Kata's own test data). */
export function encodeInitdata(toml: string): string {
  return gzipSync(Buffer.from(toml, "utf8"), { level: 9 }).toString("base64");
}

/** Seconds CreateContainer may take: guest image pull plus BAR mapping, which grows with each large GPU. */
export function createContainerTimeoutSec(gpuCount: number): number {
  return 300 + 120 * gpuCount;
}

/**
 * The annotations for one kernel's sandbox, the runtime-class settings they rely on, and warnings.
 * Pure; never throws (the creation context validates first).
 */
export function renderKataAnnotations(input: KataAnnotationInput): KataAnnotationResult {
  const { kata } = input;
  const annotations: Record<string, string> = {
    // Under static sandbox sizing (Kata's default for TEEs) the VM gets default_* plus the container's
    // limits, so the request goes here and the OCI spec carries no CPU or memory limit: the VM is
    // exactly the request, with no hot-plug, which confidential guests cannot do anyway.
    [KATA_ANNOTATION.defaultVcpus]: String(input.vcpus),
    [KATA_ANNOTATION.defaultMemory]: String(input.memoryMib),
    [KATA_ANNOTATION.guestHookPath]: kata.guestHookPath,
    [KATA_ANNOTATION.virtioFsCacheSize]: String(kata.virtioFsCacheSizeMb),
    [KATA_ANNOTATION.createContainerTimeout]: String(createContainerTimeoutSec(input.gpuCount)),
  };
  if (kata.kernelModules.length > 0) annotations[KATA_ANNOTATION.kernelModules] = kata.kernelModules.join("; ");
  const requirements: RuntimeRequirement[] = [];
  const warnings: string[] = [];

  if (input.vfioDeviceCount > 0) {
    // Hot-plug lets the host add devices to a running TEE, so confidential guests cold-plug before boot.
    const key = input.confidential ? KATA_ANNOTATION.coldPlugVfio : KATA_ANNOTATION.hotPlugVfio;
    annotations[key] = kata.hotplugVfio;
    if (kata.hotplugVfio === "root-port" && kata.hypervisor === "qemu") {
      annotations[KATA_ANNOTATION.pcieRootPort] = String(input.vfioDeviceCount);
    }
    if (kata.hotplugVfio === "switch-port") {
      // Kata has no annotation for the switch-port count; it comes from the configuration only.
      requirements.push({
        option: "pcie_switch_port",
        value: `>= ${input.vfioDeviceCount}`,
        why: `switch-port VFIO needs one guest switch port per passed-through device (${input.vfioDeviceCount} here)`,
      });
    }
  }

  if (input.confidential) {
    requirements.push({ option: "confidential_guest", value: "true", why: "CoCo: the VM runs in a TEE; Kata has no annotation for this, the runtime class decides" });
    if (kata.guestAttestation === "sev-snp") {
      requirements.push({ option: "sev_snp_guest", value: "true", why: "guest-attestation is sev-snp" });
    }
    if (kata.kbsEndpoint) {
      annotations[KATA_ANNOTATION.ccInitData] = encodeInitdata(renderInitdataToml(kata.kbsEndpoint));
    } else {
      warnings.push("confidential guest without kata.kbs-endpoint: the TEE boots and measures, but no key broker can release image keys or secrets");
    }
  }

  requirements.push({
    option: "enable_annotations",
    value: `contains ${hypervisorAnnotationNames(annotations).join(", ")}`,
    why: "Kata refuses hypervisor annotations that the runtime class does not enable",
  });
  return { annotations, requirements, warnings };
}

/** The hypervisor annotation names (the part after io.katacontainers.config.hypervisor.) a set uses. */
export function hypervisorAnnotationNames(annotations: Record<string, string>): string[] {
  return Object.keys(annotations)
    .filter((k) => k.startsWith(HV))
    .map((k) => k.slice(HV.length))
    .sort();
}
