/**
 * The host agent: discovers the host, serves the Agent gRPC service, joins the controller and
 * heartbeats. It holds no database credentials; the controller dials it back for everything else.
 */
import os from "node:os";
import { existsSync, rmSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";
import { HealthImplementation } from "grpc-health-check";
import { agentProto, deadline, DEADLINES, grpcTarget } from "../proto/load";
import type { AgentConfig } from "./config/agent-config";
import type { PciBus } from "./drivers/pci/pci-bus";
import { readPciSnapshot } from "./drivers/pci/pci-bus";
import { buildInventory, type HostInventory } from "../domain/topology/inventory";
import { inventoryDigest, inventoryToProto } from "./inventory-codec";
import type { GpuBinder, KernelTelemetry, MetricsBatch, Preflight, PreflightCheck } from "./host-services";
import { AppError, isAppError, type ErrorCode } from "../errors";
import { channelCredentials, serverCredentials } from "../lib/grpc-tls";
import type { AgentEvent } from "../proto/generated/hypercell/agent/v1/AgentEvent";
import type { HostFacts } from "../proto/generated/hypercell/agent/v1/HostFacts";
import type { AgentRegistryClient } from "../proto/generated/hypercell/agent/v1/AgentRegistry";
import type { CreateKernelRequest__Output } from "../proto/generated/hypercell/agent/v1/CreateKernelRequest";
import type { SandboxRuntime } from "./drivers/runtime/sandbox-runtime";
import { KernelManager } from "./kernels/kernel-manager";

export const AGENT_VERSION = "0.1.0";

export type AgentRuntimeOptions = {
  config: AgentConfig;
  pciBus: PciBus;
  binder?: GpuBinder;
  preflight?: Preflight;
  /** Scrapes running kernels' in-guest exporters. */
  telemetry?: KernelTelemetry;
  /** Where kernels (Kata VMs) run: containerd on a real host, a simulated runtime on a simulated one. */
  sandboxRuntime?: SandboxRuntime;
  /** Overrides for what the host offers (simulated hosts describe a bigger machine than this one). */
  host?: { vcpus?: number; memoryBytes?: number; confidentialCapability?: "none" | "tdx" | "sev-snp"; simulated?: boolean };
  /** Re-scan period for inventory changes (ms). */
  rescanMs?: number;
  log?: (msg: string) => void;
};

const GRPC_CODE: Partial<Record<ErrorCode, grpc.status>> = {
  BAD_INPUT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  CONFLICT: grpc.status.ALREADY_EXISTS,
  PRECONDITION_FAILED: grpc.status.FAILED_PRECONDITION,
  GPU_IOMMU_GROUP_UNSAFE: grpc.status.FAILED_PRECONDITION,
  GPU_ALREADY_ALLOCATED: grpc.status.FAILED_PRECONDITION,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  FORBIDDEN: grpc.status.PERMISSION_DENIED,
  SYSFS_INVALID: grpc.status.INTERNAL,
};

/** AppError → gRPC status, with our code in the `hypercell-error-code` trailer. */
/**
 * A NIC the controller attached, as a VFIO device of this host. Throws PRECONDITION_FAILED when this
 * host has no such device, or it is not bound to vfio-pci in an IOMMU group (then it cannot be passed through).
 */
function passableNic(inv: HostInventory, address: string): { address: string; iommuGroup: number } {
  const d = inv.devices.find((x) => x.address === address);
  if (!d) throw new AppError("PRECONDITION_FAILED", `NIC ${address} is not on this host`);
  if (d.driver !== "vfio-pci" || d.iommuGroup === null) {
    throw new AppError("PRECONDITION_FAILED", `NIC ${address} cannot be passed through: it is bound to ${d.driver ?? "no driver"}${d.iommuGroup === null ? " and in no IOMMU group" : ""}; bind it to vfio-pci first`);
  }
  return { address, iommuGroup: d.iommuGroup };
}

export function toGrpcError(err: unknown): Partial<grpc.StatusObject> {
  const metadata = new grpc.Metadata();
  if (isAppError(err)) {
    metadata.set("hypercell-error-code", err.code);
    return { code: GRPC_CODE[err.code] ?? grpc.status.UNKNOWN, details: err.message, metadata };
  }
  metadata.set("hypercell-error-code", "INTERNAL");
  return { code: grpc.status.INTERNAL, details: err instanceof Error ? err.message : String(err), metadata };
}

export class AgentRuntime {
  readonly config: AgentConfig;
  private readonly opts: AgentRuntimeOptions;
  private server: grpc.Server | null = null;
  private readonly health = new HealthImplementation({ "": "NOT_SERVING", "hypercell.agent.v1.Agent": "NOT_SERVING" });
  private inventory: HostInventory | null = null;
  private digest = "";
  private preflightReport: PreflightCheck[] = [];
  private readonly watchers = new Set<grpc.ServerWritableStream<unknown, AgentEvent>>();
  private registry: AgentRegistryClient | null = null;
  private timers: NodeJS.Timeout[] = [];
  private joined = false;
  private stopped = false;
  readonly kernels: KernelManager | null;
  boundAddress = "";
  private readonly log: (msg: string) => void;

  constructor(opts: AgentRuntimeOptions) {
    this.opts = opts;
    this.config = opts.config;
    this.log = opts.log ?? ((m) => console.log(`[agent ${opts.config.agent.id}] ${m}`));
    this.kernels = opts.sandboxRuntime
      ? new KernelManager({
          config: opts.config,
          runtime: opts.sandboxRuntime,
          log: this.log,
          emit: (ev) => {
            this.log(`kernel ${ev.kernelId}: ${ev.status} — ${ev.reason}`);
            this.broadcast({ atMs: Date.now(), kernel: ev });
            this.followTelemetry(ev.kernelId, ev.sessionId, ev.status);
          },
        })
      : null;
  }

  async scan(): Promise<HostInventory> {
    const inv = buildInventory(await readPciSnapshot(this.opts.pciBus));
    const digest = inventoryDigest(inv);
    const changed = digest !== this.digest;
    this.inventory = inv;
    this.digest = digest;
    if (changed) this.broadcast({ atMs: Date.now(), inventoryChanged: inventoryToProto(inv) });
    return inv;
  }

  facts(): HostFacts {
    const inv = this.inventory;
    const { agent, kata } = this.config;
    const vcpus = this.opts.host?.vcpus ?? os.cpus().length;
    const mem = this.opts.host?.memoryBytes ?? os.totalmem();
    const ready = inv?.gpus.filter((g) => g.passthrough === "ready").length ?? 0;
    return {
      agentId: agent.id,
      backend: agent.backend,
      resourceGroup: agent.resourceGroup,
      address: this.boundAddress || agent.listenAddress,
      version: AGENT_VERSION,
      hypervisor: kata.hypervisor,
      confidentialCapability: this.opts.host?.confidentialCapability ?? "none",
      architecture: os.arch() === "x64" ? "x86_64" : os.arch(),
      // What VMs may use: the host's memory net of one VM overhead, so a kernel's request plus its
      // overhead always fits (the scheduler subtracts vm-overhead-mb per VM).
      available: { cpu: vcpus, mem: Math.max(0, mem - kata.vmOverheadMb * 1024 * 1024), cudaDevice: ready },
      simulated: this.opts.host?.simulated ?? false,
      vmOverheadMb: kata.vmOverheadMb,
      maxGpusPerVm: kata.maxGpusPerVm,
      storageMountpoints: kata.storageMounts.map((m) => m.mountpoint),
    };
  }

  private readonly scrapers = new Map<string, () => void>();

  /** Scrapes a kernel's exporters while it runs; batches go to the controller on the Watch stream. */
  private followTelemetry(kernelId: string, sessionId: string, status: string) {
    const telemetry = this.opts.telemetry;
    if (!telemetry) return;
    if (status === "RUNNING" && !this.scrapers.has(kernelId)) {
      const gpus = this.kernels?.list().find((k) => k.kernelId === kernelId)?.gpuAddresses ?? [];
      this.scrapers.set(
        kernelId,
        telemetry.watch({ kernelId, sessionId, gpus }, (b: MetricsBatch) =>
          this.broadcast({
            atMs: Date.now(),
            metrics: { ...b, error: b.error ?? "", samples: b.samples.map((x) => ({ ...x, timestampMs: x.timestampMs ?? 0 })) },
          }),
        ),
      );
    } else if (status !== "RUNNING" && this.scrapers.has(kernelId)) {
      this.scrapers.get(kernelId)!();
      this.scrapers.delete(kernelId);
    }
  }

  private broadcast(ev: AgentEvent) {
    for (const w of this.watchers) w.write(ev);
  }

  private async runPreflight(): Promise<PreflightCheck[]> {
    this.preflightReport = this.opts.preflight ? await this.opts.preflight.run() : [];
    return this.preflightReport;
  }

  private preflightMessage() {
    return { checks: this.preflightReport.map((c) => ({ ...c })), checkedAtMs: Date.now() };
  }

  /** Starts serving and joining. Resolves once the gRPC server listens. */
  async start(): Promise<void> {
    await this.scan();
    if (this.kernels) {
      this.log(`recovered ${await this.kernels.recover()} kernels from the runtime's labels`);
      for (const k of this.kernels.list()) this.followTelemetry(k.kernelId, k.sessionId, k.status);
    }
    const checks = await this.runPreflight();
    const fatal = checks.filter((c) => c.fatal && c.status === "fail");
    if (fatal.length) {
      throw new AppError(
        "PRECONDITION_FAILED",
        `host preflight failed; the agent will not start:\n${fatal.map((c) => `  - ${c.title}: ${c.evidence}. Fix: ${c.fix}`).join("\n")}`,
      );
    }
    const proto = agentProto().hypercell.agent.v1;
    const server = new grpc.Server({ "grpc.keepalive_time_ms": 20_000 });
    const unary =
      <Req, Res>(fn: (req: Req) => Promise<Res>) =>
      (call: grpc.ServerUnaryCall<Req, Res>, cb: grpc.sendUnaryData<Res>) => {
        fn(call.request).then(
          (r) => cb(null, r),
          (e) => cb(toGrpcError(e), null),
        );
      };
    server.addService(proto.Agent.service, {
      GetFacts: unary(async () => this.facts()),
      GetInventory: unary(async () => inventoryToProto(await this.scan())),
      RunPreflight: unary(async () => {
        await this.runPreflight();
        const report = this.preflightMessage();
        this.broadcast({ atMs: Date.now(), preflight: report });
        return report;
      }),
      BindGpu: unary(async (req: { gpuAddress: string; requestId: string }) => this.bindOrUnbind("bind", req.gpuAddress, req.requestId)),
      UnbindGpu: unary(async (req: { gpuAddress: string; requestId: string }) => this.bindOrUnbind("unbind", req.gpuAddress, req.requestId)),
      CreateKernel: unary(async (req: CreateKernelRequest__Output) => {
        if (!this.kernels) throw new AppError("PRECONDITION_FAILED", "this agent has no container runtime configured");
        const inv = this.inventory ?? (await this.scan());
        return this.kernels.create(
          {
            sessionId: req.sessionId,
            kernelId: req.kernelId,
            clusterRole: req.clusterRole || "main",
            clusterIdx: (req.clusterIdx || 1) - 1, // the wire is 1-based like Backend.AI; the context counts from 0
            clusterHostname: req.clusterHostname || "main1",
            clusterSize: req.clusterSize || 1,
            members: req.members.map((m) => ({ hostname: m.hostname, address: m.address || null })),
            image: req.image,
            startupCommand: req.startupCommand || null,
            sessionType: req.sessionType === "batch" ? "batch" : "interactive",
            slots: { cpu: req.cpu, memBytes: req.mem },
            gpus: req.gpus.map((g) => ({ address: g.address, iommuGroup: g.iommuGroup })),
            vfolders: req.vfolders.map((v) => ({ name: v.name, hostPath: v.hostPath, mountPath: v.mountPath, readOnly: v.readOnly })),
            nics: req.nicAddresses.map((address) => passableNic(inv, address)),
            environ: req.environ,
            confidential: req.confidential,
          },
          inv,
        );
      }),
      DestroyKernel: unary(async (req: { kernelId: string; reason: string }) => ({ existed: this.kernels ? await this.kernels.destroy(req.kernelId, req.reason || "user-requested") : false })),
      ListKernels: unary(async () => ({ kernels: this.kernels?.list() ?? [] })),
      Watch: (call: grpc.ServerWritableStream<unknown, AgentEvent>) => {
        this.watchers.add(call);
        call.write({ atMs: Date.now(), inventoryChanged: inventoryToProto(this.inventory!) });
        if (this.preflightReport.length) call.write({ atMs: Date.now(), preflight: this.preflightMessage() });
        const done = () => this.watchers.delete(call);
        call.on("cancelled", done);
        call.on("close", done);
        call.on("error", done);
      },
    });
    this.health.addToServer(server);
    const listen = this.config.agent.listenAddress;
    if (listen.startsWith("unix:")) {
      const file = listen.replace(/^unix:\/\//, "");
      if (existsSync(file)) rmSync(file); // a stale socket from a previous run
    }
    const credentials = serverCredentials(this.config.agent.tls);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync(grpcTarget(listen), credentials, (err, p) => (err ? reject(err) : resolve(p))));
    this.server = server;
    this.boundAddress = listen.startsWith("unix:") ? listen : listen.replace(/:0$/, `:${port}`);
    this.health.setStatus("", "SERVING");
    this.health.setStatus("hypercell.agent.v1.Agent", "SERVING");
    this.log(`serving on ${this.boundAddress}; ${this.inventory!.gpus.length} GPUs, ${this.inventory!.devices.length} PCI functions`);
    const rescan = setInterval(() => void this.scan().catch((e) => this.log(`rescan failed: ${e instanceof Error ? e.message : e}`)), this.opts.rescanMs ?? 30_000);
    this.timers.push(rescan);
    void this.joinLoop();
  }

  private async bindOrUnbind(kind: "bind" | "unbind", gpuAddress: string, requestId: string) {
    if (!this.opts.binder) throw new AppError("PRECONDITION_FAILED", "this agent has no VFIO binder configured");
    const inv = await this.scan();
    this.log(`${kind} ${gpuAddress} (request ${requestId || "-"})`);
    const held = this.kernels?.allocatedAddresses() ?? new Set<string>();
    const outcome = await this.opts.binder[kind](gpuAddress, inv, { allocated: (a) => held.has(a) });
    const after = await this.scan();
    return {
      ok: outcome.ok,
      rolledBack: outcome.rolledBack,
      message: outcome.message,
      steps: outcome.steps.map((s) => ({ device: s.device, fromDriver: s.fromDriver ?? "", toDriver: s.toDriver ?? "", ok: s.ok, message: s.message })),
      inventory: inventoryToProto(after),
    };
  }

  private registryClient(): AgentRegistryClient {
    if (!this.registry) {
      const proto = agentProto().hypercell.agent.v1;
      this.registry = new proto.AgentRegistry(grpcTarget(this.config.agent.controllerAddress), channelCredentials(this.config.agent.tls)) as AgentRegistryClient;
    }
    return this.registry;
  }

  private async joinLoop() {
    let backoff = 500;
    while (!this.stopped && !this.joined) {
      try {
        const res = await new Promise<{ heartbeatIntervalSec: number }>((resolve, reject) =>
          this.registryClient().Join(
            { joinToken: this.config.agent.joinToken, facts: this.facts(), inventoryDigest: this.digest },
            { deadline: deadline(DEADLINES.join) },
            (err, r) => (err ? reject(err) : resolve(r as { heartbeatIntervalSec: number })),
          ),
        );
        this.joined = true;
        this.log(`joined the controller at ${this.config.agent.controllerAddress}`);
        const every = (res.heartbeatIntervalSec || this.config.agent.heartbeatIntervalSec) * 1000;
        const hb = setInterval(() => void this.heartbeat(), every);
        this.timers.push(hb);
      } catch (e) {
        const err = e as grpc.ServiceError;
        if (err.code === grpc.status.UNAUTHENTICATED || err.code === grpc.status.PERMISSION_DENIED) {
          this.log(`the controller refused the join: ${err.details}. Check join-token in the agent config.`);
        }
        await new Promise((r) => setTimeout(r, backoff));
        backoff = Math.min(backoff * 2, 15_000);
      }
    }
  }

  private async heartbeat() {
    if (this.stopped) return;
    try {
      const res = await new Promise<{ known: boolean }>((resolve, reject) =>
        this.registryClient().Heartbeat(
          { joinToken: this.config.agent.joinToken, agentId: this.config.agent.id, inventoryDigest: this.digest, available: this.facts().available, status: "ALIVE" },
          { deadline: deadline(DEADLINES.heartbeat) },
          (err, r) => (err ? reject(err) : resolve(r as { known: boolean })),
        ),
      );
      if (!res.known) {
        this.joined = false;
        for (const t of this.timers.splice(1)) clearInterval(t); // keep the rescan timer
        void this.joinLoop();
      }
    } catch (e) {
      this.log(`heartbeat failed: ${(e as grpc.ServiceError).details ?? e}`);
    }
  }

  /**
   * Dies on the spot, as a killed process would (tests): no further runtime call or event, the port
   * closes, nothing is cleaned up. VMs and containers stay for the next agent to recover.
   */
  kill(): void {
    this.stopped = true;
    this.kernels?.halt();
    for (const t of this.timers) clearInterval(t);
    for (const stop of this.scrapers.values()) stop();
    this.scrapers.clear();
    for (const w of this.watchers) w.destroy();
    this.watchers.clear();
    this.registry?.close();
    this.server?.forceShutdown();
  }

  /** Clean shutdown: stop serving, end watch streams, close the registry channel. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const stop of this.scrapers.values()) stop();
    this.scrapers.clear();
    for (const t of this.timers) clearInterval(t);
    this.health.setStatus("", "NOT_SERVING");
    for (const w of this.watchers) w.end();
    this.watchers.clear();
    this.registry?.close();
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
  }
}
