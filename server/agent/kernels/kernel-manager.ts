/**
 * Runs kernels (one Kata VM each) on this host: validates the GPUs, builds the
 * KataKernelCreationContext, drives the SandboxRuntime (containerd), reports status changes, and
 * tears everything down again. It can rebuild what runs here from the runtime's container labels, so
 * a restarted agent neither creates nor deletes anything and keeps its GPU map.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import type { AgentConfig } from "../config/agent-config";
import type { HostInventory } from "../../domain/topology/inventory";
import type { SandboxRuntime } from "../drivers/runtime/sandbox-runtime";
import { runtimeNameFor } from "../drivers/runtime/sandbox-runtime";
import { KataKernelCreationContext, type KernelCreationSpec } from "../kata/kata-kernel-creation-context";
import { parseKernelLabels } from "../kata/kernel-labels";
import { AppError, isAppError } from "../../errors";

export type KernelStatus = "PREPARING" | "PULLING" | "CREATING" | "RUNNING" | "TERMINATING" | "TERMINATED" | "ERROR";

export type KernelEvent = { kernelId: string; sessionId: string; status: KernelStatus; reason: string; containerId: string; exitCode: number };

type Running = { sessionId: string; containerId: string; gpus: string[]; status: KernelStatus; scratchDir: string; snapshotKey: string };

const HALTED = Symbol("agent halted");

export const containerIdFor = (kernelId: string) => `hc-${kernelId}`;

export class KernelManager {
  private readonly kernels = new Map<string, Running>();
  constructor(
    private readonly opts: {
      config: AgentConfig;
      runtime: SandboxRuntime;
      emit: (ev: KernelEvent) => void;
      log: (m: string) => void;
    },
  ) {
    // A runtime that reports its boot phases (the simulated Kata runtime does) feeds the timeline.
    const reporter = opts.runtime as SandboxRuntime & { onPhase?: ((containerId: string, phase: { name: string; ms: number }) => void) | null };
    if ("onPhase" in reporter) {
      reporter.onPhase = (containerId, phase) => {
        for (const [kernelId, k] of this.kernels) {
          if (k.containerId === containerId && k.status === "CREATING") this.set(kernelId, k, "CREATING", `${phase.name} (${(phase.ms / 1000).toFixed(1)} s)`);
        }
      };
    }
  }

  /** GPU addresses held by kernels on this host (the agent-side half of "one GPU, one kernel"). */
  allocatedAddresses(): Set<string> {
    return new Set([...this.kernels.values()].flatMap((k) => k.gpus));
  }

  list() {
    return [...this.kernels.entries()].map(([kernelId, k]) => ({ kernelId, sessionId: k.sessionId, containerId: k.containerId, status: k.status, gpuAddresses: k.gpus }));
  }

  /** Rebuilds the kernel map from container labels; creates and deletes nothing. Returns how many it found. */
  async recover(): Promise<number> {
    const { runtime, config } = this.opts;
    await runtime.ensureNamespace();
    for (const c of await runtime.listContainers()) {
      const l = parseKernelLabels(c.labels);
      if (!l) continue;
      let status: KernelStatus = "RUNNING";
      try {
        const t = await runtime.getTask(c.id);
        status = t.status === "running" ? "RUNNING" : "TERMINATED";
      } catch (e) {
        // No task: the VM is gone. Anything else (the daemon did not answer) must not be mistaken for
        // that, or a healthy VM would be reported ended and removed: recovery fails and is retried.
        if (!(e instanceof AppError && e.code === "NOT_FOUND")) {
          throw new AppError("RUNTIME_ERROR", `cannot recover kernel ${l.kernelId}: the runtime did not say whether container ${c.id} still has a task (${e instanceof Error ? e.message : String(e)})`);
        }
        status = "TERMINATED";
      }
      const k: Running = { sessionId: l.sessionId, containerId: c.id, gpus: l.pciAddresses, status, scratchDir: path.join(config.agent.stateDir, "scratch", l.kernelId), snapshotKey: l.kernelId };
      this.kernels.set(l.kernelId, k);
      // A VM adopted running must be followed like one booted here, or its end is never reported.
      if (status === "RUNNING") this.followExit(l.kernelId, k);
    }
    return this.kernels.size;
  }

  /** Reports the kernel's end when its task exits while RUNNING (a destroy changes the status first). */
  private followExit(kernelId: string, k: Running) {
    void this.opts.runtime.wait(k.containerId).then(
      (exit) => {
        if (k.status === "RUNNING") this.set(kernelId, k, exit.exitStatus === 0 ? "TERMINATED" : "ERROR", `the kernel exited with ${exit.exitStatus}`, exit.exitStatus);
      },
      () => {},
    );
  }

  private set(kernelId: string, k: Running, status: KernelStatus, reason: string, exitCode = 0) {
    if (this.halted) return;
    k.status = status;
    this.opts.emit({ kernelId, sessionId: k.sessionId, status, reason, containerId: k.containerId, exitCode });
  }

  /**
   * Starts a kernel. Returns at once with the container id; progress is emitted. Idempotent for a
   * kernel already here. Throws AppError PRECONDITION_FAILED when a GPU is not ready for passthrough,
   * GPU_ALREADY_ALLOCATED when another kernel here holds it, and the context's own refusals.
   */
  async create(spec: KernelCreationSpec, inventory: HostInventory): Promise<{ containerId: string; warnings: string[]; contextJson: string }> {
    const existing = this.kernels.get(spec.kernelId);
    if (existing) return { containerId: existing.containerId, warnings: [], contextJson: "" };
    const held = this.allocatedAddresses();
    for (const g of spec.gpus) {
      const inv = inventory.gpus.find((x) => x.address === g.address);
      if (!inv) throw new AppError("NOT_FOUND", `GPU ${g.address} is not on this host`);
      if (inv.passthrough !== "ready") throw new AppError("PRECONDITION_FAILED", `GPU ${g.address} is ${inv.passthrough}: ${inv.reasons.join("; ") || "not ready for passthrough"}`);
      if (held.has(g.address)) throw new AppError("GPU_ALREADY_ALLOCATED", `GPU ${g.address} is already used by another kernel on this host`);
    }
    const ctx = new KataKernelCreationContext(this.opts.config, spec);
    const k: Running = { sessionId: spec.sessionId, containerId: containerIdFor(spec.kernelId), gpus: spec.gpus.map((g) => g.address), status: "PREPARING", scratchDir: ctx.scratchDir, snapshotKey: spec.kernelId };
    this.kernels.set(spec.kernelId, k);
    this.set(spec.kernelId, k, "PREPARING", "writing the kernel's configuration");
    void this.boot(spec, ctx, k);
    const contextJson = JSON.stringify({
      mountPlan: ctx.mountPlan.map((m) => ({ id: m.id, dockerTarget: m.dockerTarget, verdict: m.verdict, kata: m.kata, reason: m.reason })),
      files: ctx.files,
      annotations: ctx.annotations,
      runtimeClass: ctx.runtimeClass,
      runtimeRequirements: ctx.runtimeRequirements,
      confidential: ctx.confidential,
    });
    return { containerId: k.containerId, warnings: ctx.warnings, contextJson };
  }

  private halted = false;

  /**
   * Stops this manager dead, as a killed agent process would: no further runtime call, no event.
   * What already runs (VMs, containers) stays; the next agent recovers it. Tests use it to kill the
   * agent between the steps of a launch.
   */
  halt(): void {
    this.halted = true;
  }

  private async boot(spec: KernelCreationSpec, ctx: KataKernelCreationContext, k: Running) {
    const { runtime, config } = this.opts;
    const id = spec.kernelId;
    const alive = () => {
      if (this.halted) throw HALTED;
    };
    try {
      alive();
      await ctx.writeFiles();
      alive();
      await runtime.ensureNamespace();
      alive();
      this.set(id, k, "PULLING", `preparing the root filesystem of ${spec.image}`);
      alive();
      await runtime.prepareRootfs(spec.image, k.snapshotKey);
      alive();
      this.set(id, k, "CREATING", `starting a ${ctx.confidential ? "confidential " : ""}Kata VM with ${spec.gpus.length} GPU${spec.gpus.length === 1 ? "" : "s"}`);
      alive();
      await runtime.createContainer({ id: k.containerId, image: spec.image, runtime: runtimeNameFor(config.kata.kataRuntimeClass), spec: ctx.ociSpec as never, labels: ctx.labels, snapshotKey: k.snapshotKey });
      alive();
      const log = path.join(ctx.scratchDir, "logs", "kernel.log");
      await runtime.startTask({ containerId: k.containerId, stdoutPath: log, stderrPath: log });
      alive();
      if (k.status !== "CREATING") return; // destroyed while booting
      this.set(id, k, "RUNNING", "the VM is up");
      this.followExit(id, k);
    } catch (e) {
      if (e === HALTED) return;
      const why = isAppError(e) ? e.message : e instanceof Error ? e.message : String(e);
      this.opts.log(`kernel ${id} failed to start: ${why}`);
      await this.cleanup(k).catch(() => {});
      this.kernels.delete(id);
      this.set(id, k, "ERROR", `failed-to-start: ${why}`);
    }
  }

  private async cleanup(k: Running) {
    const { runtime } = this.opts;
    const hasTask = await runtime.getTask(k.containerId).then(
      () => true,
      () => false,
    );
    if (hasTask) {
      try {
        await runtime.kill(k.containerId, "SIGKILL", { all: true });
      } catch {
        /* exited meanwhile */
      }
      try {
        // A killed task is not gone yet, and a running task can be neither deleted nor its container.
        await runtime.wait(k.containerId, AbortSignal.timeout(10_000));
      } catch {
        /* it would not die in time */
      }
    }
    try {
      await runtime.deleteTask(k.containerId);
    } catch {
      /* no task */
    }
    try {
      await runtime.deleteContainer(k.containerId);
    } catch {
      /* no container */
    }
    await rm(k.scratchDir, { recursive: true, force: true });
  }

  /** Stops the kernel and removes everything of it. Idempotent: false when nothing of it was here. */
  async destroy(kernelId: string, reason: string): Promise<boolean> {
    const k = this.kernels.get(kernelId);
    if (!k) {
      // Unknown here (an agent died while starting it): still remove whatever it may have left under
      // its deterministic names — a scratch directory, a container without a task. A rootfs snapshot
      // prepared but never used is held only by a lease that containerd expires.
      const leftover: Running = { sessionId: "", containerId: containerIdFor(kernelId), gpus: [], status: "TERMINATING", scratchDir: path.join(this.opts.config.agent.stateDir, "scratch", kernelId), snapshotKey: kernelId };
      await this.cleanup(leftover).catch(() => {});
      return false;
    }
    this.set(kernelId, k, "TERMINATING", reason);
    try {
      await this.opts.runtime.kill(k.containerId, "SIGTERM");
      await Promise.race([this.opts.runtime.wait(k.containerId), new Promise((r) => setTimeout(r, 10_000))]);
    } catch {
      /* not running */
    }
    await this.cleanup(k);
    this.kernels.delete(kernelId);
    this.set(kernelId, k, "TERMINATED", reason);
    return true;
  }
}
