/**
 * The runtime a simulated host uses in place of containerd + the Kata shim, which cannot exist on
 * machines without KVM: the in-memory FakeSandboxRuntime (held honest by the contract suite the real
 * containerd driver passes), plus what a real host has that a fake lacks — any image can be "pulled",
 * and a VM boots in phases that take realistic time: the hypervisor starts the guest (cloud-hypervisor
 * ≈ 0.7 s, QEMU ≈ 1.5 s), a confidential guest is measured and attested, and every passed-through GPU
 * has its large BARs mapped (≈ 1.5 s per 128 GiB BAR). Failures can be injected per GPU.
 */
import { FakeSandboxRuntime } from "../drivers/runtime/fake-sandbox-runtime";
import type { ContainerInfo, CreateContainerInput, RuntimeMount, StartTaskInput } from "../drivers/runtime/sandbox-runtime";
import { AppError } from "../../errors";
import { LABEL } from "../kata/kernel-labels";

export type BootPhase = { name: string; ms: number };

export type SimulatedKataOptions = {
  hypervisor?: "cloud-hypervisor" | "qemu" | "dragonball";
  /** TDX / SEV-SNP: adds measurement and attestation to the boot. */
  confidential?: "none" | "tdx" | "sev-snp";
  /** Largest BAR of each GPU, by PCI address (defaults to 128 GiB, an H100's). */
  barBytes?: (address: string) => number;
  /** Scales every phase's time (tests use a small factor). */
  timeScale?: number;
  /** GPUs whose VM fails to boot, with the message the failure gives. */
  failingGpus?: Map<string, string>;
};

const BOOT_MS = { "cloud-hypervisor": 700, qemu: 1500, dragonball: 500 } as const;

export class SimulatedKataRuntime extends FakeSandboxRuntime {
  private readonly pulled = new Set<string>();
  private readonly opts: Required<Omit<SimulatedKataOptions, "failingGpus">> & { failingGpus: Map<string, string> };
  /** Called for each boot phase as it completes; the kernel manager turns them into timeline entries. */
  onPhase: ((containerId: string, phase: BootPhase) => void) | null = null;

  constructor(opts: SimulatedKataOptions | number = {}) {
    super({ namespace: "hypercell" });
    const o = typeof opts === "number" ? { timeScale: opts / 1200 } : opts;
    this.opts = {
      hypervisor: o.hypervisor ?? "cloud-hypervisor",
      confidential: o.confidential ?? "none",
      barBytes: o.barBytes ?? (() => 128 * 2 ** 30),
      timeScale: o.timeScale ?? 1,
      failingGpus: o.failingGpus ?? new Map(),
    };
  }

  override async prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]> {
    if (!this.pulled.has(image)) {
      // Under CoCo the image is pulled inside the guest; simulate the one-time fetch here.
      await this.sleep(600);
      (this as unknown as { images: Set<string> }).images.add(image);
      this.pulled.add(image);
    }
    return super.prepareRootfs(image, snapshotKey);
  }

  /**
   * Inside a real guest, Backend.AI's kernel runner serves until the session ends. The fake interprets
   * only a few shell words, so the simulated guest runs a stand-in that stays up until killed; the
   * rest of the spec (devices, annotations, mounts) is kept exactly as rendered.
   */
  override async createContainer(input: CreateContainerInput): Promise<ContainerInfo> {
    const process = (input.spec.process ?? {}) as { args?: string[] };
    const args = process.args ?? [];
    const simulated = args.some((a) => a.includes("ai.backend.kernel") || a.endsWith("entrypoint.sh")) ? ["/bin/sh", "-c", "echo simulated kernel runner up; sleep infinity"] : args;
    return super.createContainer({ ...input, spec: { ...input.spec, process: { ...process, args: simulated } } });
  }

  /** The phases booting this container's VM goes through, with their durations. */
  bootPhases(gpus: string[]): BootPhase[] {
    const phases: BootPhase[] = [{ name: `${this.opts.hypervisor} started the guest kernel`, ms: BOOT_MS[this.opts.hypervisor] }];
    if (this.opts.confidential !== "none") {
      phases.push({ name: `${this.opts.confidential === "tdx" ? "TDX" : "SEV-SNP"} launch measurement`, ms: 300 });
      phases.push({ name: "attestation evidence verified; guest released", ms: 400 });
    }
    for (const g of gpus) {
      const gib = Math.round(this.opts.barBytes(g) / 2 ** 30);
      phases.push({ name: `mapped ${gib} GiB BAR of ${g} into the guest`, ms: Math.max(100, Math.round((gib / 128) * 1500)) });
    }
    phases.push({ name: "kata-agent up; kernel runner started", ms: 150 });
    return phases;
  }

  override async startTask(input: StartTaskInput): Promise<number> {
    const info = await this.getContainer(input.containerId);
    const gpus = (info.labels[LABEL.pciAddresses] ?? "").split(",").filter(Boolean);
    for (const phase of this.bootPhases(gpus)) {
      const failing = phase.name.startsWith("mapped") ? gpus.find((g) => phase.name.includes(g) && this.opts.failingGpus.has(g)) : undefined;
      await this.sleep(phase.ms);
      if (failing) throw new AppError("RUNTIME_ERROR", `the VM did not boot: ${this.opts.failingGpus.get(failing)} (GPU ${failing})`);
      this.onPhase?.(input.containerId, phase);
    }
    return super.startTask(input);
  }

  private sleep(ms: number) {
    return new Promise((r) => setTimeout(r, Math.round(ms * this.opts.timeScale)));
  }
}
