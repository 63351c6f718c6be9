/**
 * The runtime a simulated host uses in place of containerd + the Kata shim, which cannot exist on
 * machines without KVM: the in-memory FakeSandboxRuntime (held honest by the contract suite the real
 * containerd driver passes), plus what a real host has that a fake lacks — any image can be "pulled",
 * and a VM boots in phases that take realistic time: the hypervisor starts the guest (cloud-hypervisor
 * ≈ 0.7 s, QEMU ≈ 1.5 s), a confidential guest is measured and attested, and every passed-through GPU
 * has its large BARs mapped (≈ 1.5 s per 128 GiB BAR). Failures can be injected per GPU.
 *
 * With a `stateFile` its VMs outlive the agent process, as a shim-run Kata VM does: images, snapshots,
 * containers and tasks are kept in that file (FileRuntimeStore) after every change and taken over by
 * the next instance. A VM booting when the agent dies stays where it was — its task "created", never
 * started — for the next agent's recovery to deal with.
 */
import { FakeSandboxRuntime } from "../drivers/runtime/fake-sandbox-runtime";
import type { ContainerInfo, CreateContainerInput, RuntimeMount, StartTaskInput } from "../drivers/runtime/sandbox-runtime";
import { AppError } from "../../errors";
import { LABEL } from "../kata/kernel-labels";
import { FileRuntimeStore } from "./persistent-runtime-store";

export type BootPhase = { name: string; ms: number };

export type SimulatedKataOptions = {
  hypervisor?: "cloud-hypervisor" | "qemu" | "dragonball";
  /** TDX / SEV-SNP: adds measurement and attestation to the boot. */
  confidential?: "none" | "tdx" | "sev-snp";
  /** Largest BAR of each GPU, by PCI address (defaults to 128 GiB, an H100's). */
  barBytes?: (address: string) => number;
  /** Scales every phase's time (tests use a small factor to go fast, or a large one to catch a phase). */
  timeScale?: number;
  /**
   * Time each ensureNamespace takes (0 by default). The kernel manager calls it once per kernel while
   * PREPARING, so tests that need that phase to last set it; like every phase it is scaled.
   */
  prepareMs?: number;
  /** GPUs whose VM fails to boot, with the message the failure gives. */
  failingGpus?: Map<string, string>;
  /** Where the runtime's state lives between processes (e.g. <state-dir>/sim-runtime.json); in memory only without. */
  stateFile?: string;
};

const BOOT_MS = { "cloud-hypervisor": 700, qemu: 1500, dragonball: 500 } as const;

export class SimulatedKataRuntime extends FakeSandboxRuntime {
  private readonly opts: Required<Omit<SimulatedKataOptions, "failingGpus" | "stateFile">> & { failingGpus: Map<string, string> };
  /** The file the state is kept in, when there is one. */
  readonly stateFile: string | null;
  /** Called for each boot phase as it completes; the kernel manager turns them into timeline entries. */
  onPhase: ((containerId: string, phase: BootPhase) => void) | null = null;

  constructor(opts: SimulatedKataOptions | number = {}) {
    const o: SimulatedKataOptions = typeof opts === "number" ? { timeScale: opts / 1200 } : opts;
    const store = o.stateFile ? new FileRuntimeStore(o.stateFile, { exclusive: true }) : undefined;
    super({ namespace: "hypercell", store });
    this.stateFile = store?.file ?? null;
    const timeScale = o.timeScale ?? 1;
    if (!(timeScale >= 0) || !Number.isFinite(timeScale)) throw new AppError("BAD_INPUT", `the simulated runtime's time scale must be a finite number ≥ 0, not ${timeScale}`);
    this.opts = {
      hypervisor: o.hypervisor ?? "cloud-hypervisor",
      confidential: o.confidential ?? "none",
      barBytes: o.barBytes ?? (() => 128 * 2 ** 30),
      timeScale,
      prepareMs: o.prepareMs ?? 0,
      failingGpus: o.failingGpus ?? new Map(),
    };
  }

  override async ensureNamespace(): Promise<void> {
    if (this.opts.prepareMs > 0) await this.sleep(this.opts.prepareMs);
    return super.ensureNamespace();
  }

  override async prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]> {
    this.enter("prepareRootfs", [image, snapshotKey]);
    if (!this.hasImage(image)) {
      // Under CoCo the image is pulled inside the guest; simulate the one-time fetch here.
      await this.sleep(600);
      if (!this.hasImage(image)) this.addImage(image);
    }
    return this.prepareSnapshot(image, snapshotKey);
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

  /**
   * containerd's task Create (the shim boots the VM) then Start (the kernel runner starts). The task
   * exists, "created", from the first boot phase on; a boot that fails removes it, as a failed Create
   * does. A task killed while its VM boots is not started.
   */
  override async startTask(input: StartTaskInput): Promise<number> {
    this.enter("startTask", [input]);
    this.createTask(input);
    const gpus = (this.labelsOf(input.containerId)[LABEL.pciAddresses] ?? "").split(",").filter(Boolean);
    for (const phase of this.bootPhases(gpus)) {
      const failing = phase.name.startsWith("mapped") ? gpus.find((g) => phase.name.includes(g) && this.opts.failingGpus.has(g)) : undefined;
      await this.sleep(phase.ms);
      if (failing) {
        this.discardTask(input.containerId);
        throw new AppError("RUNTIME_ERROR", `the VM did not boot: ${this.opts.failingGpus.get(failing)} (GPU ${failing})`);
      }
      this.onPhase?.(input.containerId, phase);
    }
    return this.runTask(input.containerId);
  }

  private sleep(ms: number) {
    return new Promise((r) => setTimeout(r, Math.round(ms * this.opts.timeScale)));
  }
}
