/**
 * The controller's side of the agent protocol: the AgentRegistry service agents join and heartbeat
 * on, and one client channel per agent with a long-lived Watch stream whose events are written to the
 * database. Only this module talks to agents.
 */
import { timingSafeEqual } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import type { Db } from "../db";
import { agentProto, deadline, DEADLINES, grpcTarget } from "../proto/load";
import type { AgentClient } from "../proto/generated/hypercell/agent/v1/Agent";
import type { AgentEvent__Output } from "../proto/generated/hypercell/agent/v1/AgentEvent";
import type { HostFacts__Output } from "../proto/generated/hypercell/agent/v1/HostFacts";
import type { BindReport__Output } from "../proto/generated/hypercell/agent/v1/BindReport";
import type { CreateKernelRequest } from "../proto/generated/hypercell/agent/v1/CreateKernelRequest";
import { applyKernelEvent, reconcileAgent } from "./lifecycle";
import type { MetricsBatch__Output } from "../proto/generated/hypercell/agent/v1/MetricsBatch";
import { inventoryFromProto } from "../agent/inventory-codec";
import { ingestInventory } from "./ingest";
import { appendAuditEvent } from "../audit/record";
import { channelCredentials, type TlsPaths } from "../lib/grpc-tls";
import type { KataPluginFacts } from "../domain/placement/kata-plugin";

export type GatewayOptions = {
  db: Db;
  joinToken: string;
  heartbeatIntervalSec: number;
  /** Receives the GPU metrics batches agents scrape from running kernels. */
  onMetrics?: (agentId: string, batch: MetricsBatch__Output) => Promise<void>;
  /** Mutual TLS for dialing agents; null for plaintext. */
  tls?: TlsPaths | null;
  log?: (msg: string) => void;
};

type Connection = { client: AgentClient; address: string; stream: grpc.ClientReadableStream<AgentEvent__Output> | null; closed: boolean };

const CONFIDENTIAL: Record<string, "none" | "tdx" | "sev_snp"> = { none: "none", tdx: "tdx", "sev-snp": "sev_snp" };

function tokenMatches(expected: string, got: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class AgentGateway {
  private readonly opts: GatewayOptions;
  private readonly connections = new Map<string, Connection>();
  private readonly log: (msg: string) => void;

  constructor(opts: GatewayOptions) {
    this.opts = opts;
    this.log = opts.log ?? ((m) => console.log(`[controller] ${m}`));
  }

  /** The AgentRegistry implementation to add to the controller's gRPC server. */
  registryService(): grpc.UntypedServiceImplementation {
    return {
      Join: (call: grpc.ServerUnaryCall<{ joinToken: string; facts: HostFacts__Output; inventoryDigest: string }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const { joinToken, facts } = call.request;
        if (!tokenMatches(this.opts.joinToken, joinToken)) {
          cb({ code: grpc.status.UNAUTHENTICATED, details: "join token does not match the controller's" });
          return;
        }
        if (!facts?.agentId || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(facts.agentId)) {
          cb({ code: grpc.status.INVALID_ARGUMENT, details: "agent id must be 1–64 characters: letters, digits, '.', '_' and '-'" });
          return;
        }
        this.join(facts).then(
          () => cb(null, { heartbeatIntervalSec: this.opts.heartbeatIntervalSec, message: "welcome" }),
          (e) => cb({ code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) }),
        );
      },
      Heartbeat: (call: grpc.ServerUnaryCall<{ joinToken: string; agentId: string; inventoryDigest: string; available?: { cpu: number; mem: number; cudaDevice: number } }, unknown>, cb: grpc.sendUnaryData<unknown>) => {
        const r = call.request;
        if (!tokenMatches(this.opts.joinToken, r.joinToken)) {
          cb({ code: grpc.status.UNAUTHENTICATED, details: "join token does not match the controller's" });
          return;
        }
        this.heartbeat(r.agentId, r.inventoryDigest).then(
          (known) => cb(null, { known }),
          (e) => cb({ code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) }),
        );
      },
    };
  }

  private async join(f: HostFacts__Output) {
    const db = this.opts.db;
    const rg = f.resourceGroup ? await db.resourceGroup.findUnique({ where: { name: f.resourceGroup }, select: { id: true } }) : null;
    const available = { cpu: f.available?.cpu ?? 0, mem: f.available?.mem ?? 0, "cuda.device": f.available?.cudaDevice ?? 0 };
    const data = {
      backend: f.backend === "kata" ? ("kata" as const) : ("docker" as const),
      status: "ALIVE" as const,
      statusReason: null,
      address: f.address,
      resourceGroupId: rg?.id ?? null,
      availableSlots: available,
      hypervisor: f.hypervisor || null,
      confidentialCapability: CONFIDENTIAL[f.confidentialCapability] ?? "none",
      architecture: f.architecture || "x86_64",
      version: f.version,
      computePlugins: { "cuda.device": { passthrough: "vfio-pci", simulated: f.simulated }, kata: { vmOverheadMb: f.vmOverheadMb, maxGpusPerVm: f.maxGpusPerVm || 8, storageMountpoints: f.storageMountpoints ?? [] } satisfies KataPluginFacts },
      lastHeartbeatAt: new Date(),
      lostAt: null,
    };
    await db.$transaction(async (tx) => {
      const before = await tx.agent.findUnique({ where: { id: f.agentId }, select: { status: true, address: true } });
      await tx.agent.upsert({
        where: { id: f.agentId },
        create: { id: f.agentId, ...data, statusChangedAt: new Date() },
        update: { ...data, ...(before?.status !== "ALIVE" ? { statusChangedAt: new Date() } : {}) },
      });
      if (!before || before.status !== "ALIVE" || before.address !== f.address) {
        await appendAuditEvent(tx, { actor: null, requestId: `join-${f.agentId}-${Date.now()}`, clientAddress: null }, {
          action: "agents.join",
          targetType: "agent",
          targetId: f.agentId,
          before: before ?? null,
          after: { status: "ALIVE", address: f.address, resourceGroup: f.resourceGroup, simulated: f.simulated },
          result: "success",
          message: rg || !f.resourceGroup ? null : `resource group "${f.resourceGroup}" does not exist; the host joined without one`,
        });
      }
    });
    // A join means the agent (re)started: whatever stream we had to it is dead.
    this.connect(f.agentId, f.address, true);
    this.log(`agent ${f.agentId} joined from ${f.address}`);
    // What the host runs is the truth about the host: reconcile the database against it.
    void reconcileAgent(db, this, f.agentId, this.log).catch((e) => this.log(`reconcile ${f.agentId}: ${(e as { details?: string }).details ?? e}`));
  }

  private async heartbeat(agentId: string, digest: string): Promise<boolean> {
    const agent = await this.opts.db.agent.findUnique({ where: { id: agentId }, select: { status: true, inventoryDigest: true } });
    if (!agent || agent.status === "TERMINATED" || !this.connections.has(agentId)) return false;
    await this.opts.db.agent.update({
      where: { id: agentId },
      data: { lastHeartbeatAt: new Date(), ...(agent.status !== "ALIVE" ? { status: "ALIVE", statusChangedAt: new Date(), statusReason: null, lostAt: null } : {}) },
    });
    if (digest && digest !== agent.inventoryDigest) void this.refreshInventory(agentId);
    return true;
  }

  /** Opens (or re-opens) the channel and Watch stream to an agent. `fresh` replaces a live one (a re-join). */
  connect(agentId: string, address: string, fresh = false) {
    const existing = this.connections.get(agentId);
    if (existing && existing.address === address && !existing.closed && !fresh) return;
    if (existing) this.disconnect(agentId);
    const proto = agentProto().hypercell.agent.v1;
    const client = new proto.Agent(grpcTarget(address), channelCredentials(this.opts.tls ?? null)) as AgentClient;
    const conn: Connection = { client, address, stream: null, closed: false };
    this.connections.set(agentId, conn);
    const open = () => {
      if (conn.closed) return;
      const stream = client.Watch({ controllerId: "controller" });
      conn.stream = stream;
      let reopened = false;
      // A stream ends with "end" or, when the agent goes away, with "error"; either way re-open once.
      const again = () => {
        if (reopened || conn.closed) return;
        reopened = true;
        setTimeout(open, 2_000);
      };
      stream.on("data", (ev: AgentEvent__Output) => void this.serial(agentId, () => this.onEvent(agentId, ev)));
      stream.on("error", again);
      stream.on("end", again);
    };
    open();
  }

  disconnect(agentId: string) {
    const c = this.connections.get(agentId);
    if (!c) return;
    c.closed = true;
    c.stream?.cancel();
    c.client.close();
    this.connections.delete(agentId);
  }

  private readonly queues = new Map<string, Promise<void>>();

  /**
   * Runs database writes for one agent one at a time, in arrival order: a kernel's events must land
   * in the order the agent sent them, and two inventory ingests of one host must not interleave.
   */
  private serial(agentId: string, fn: () => Promise<void>): Promise<void> {
    const next = (this.queues.get(agentId) ?? Promise.resolve()).then(fn, fn);
    const tail = next.catch(() => {});
    this.queues.set(agentId, tail);
    void tail.then(() => {
      if (this.queues.get(agentId) === tail) this.queues.delete(agentId);
    });
    return next;
  }

  private async onEvent(agentId: string, ev: AgentEvent__Output) {
    try {
      if (ev.metrics) {
        await this.opts.onMetrics?.(agentId, ev.metrics);
      } else if (ev.kernel) {
        await applyKernelEvent(this.opts.db, agentId, ev.kernel);
      } else if (ev.inventoryChanged) {
        const inv = inventoryFromProto(ev.inventoryChanged);
        await ingestInventory(this.opts.db, agentId, inv, inv.digest);
      } else if (ev.preflight) {
        const current = await this.opts.db.agent.findUnique({ where: { id: agentId }, select: { computePlugins: true } });
        const merged = { ...((current?.computePlugins as object | null) ?? {}), preflight: { checkedAtMs: ev.preflight.checkedAtMs, checks: ev.preflight.checks } };
        await this.opts.db.agent.update({ where: { id: agentId }, data: { computePlugins: merged as object } });
      }
    } catch (e) {
      this.log(`could not record an event from ${agentId}: ${e instanceof Error ? e.message : e}`);
    }
  }

  private client(agentId: string): AgentClient {
    const c = this.connections.get(agentId);
    if (!c) throw new Error(`agent ${agentId} is not connected`);
    return c.client;
  }

  async refreshInventory(agentId: string) {
    const inv = await new Promise<ReturnType<typeof inventoryFromProto>>((resolve, reject) =>
      this.client(agentId).GetInventory({}, { deadline: deadline(DEADLINES.inventory) }, (err, r) => (err ? reject(err) : resolve(inventoryFromProto(r!)))),
    );
    await this.serial(agentId, () => ingestInventory(this.opts.db, agentId, inv, inv.digest));
  }

  /** Asks an agent to bind or unbind a GPU's IOMMU group; the report comes back whole. */
  bindGpu(agentId: string, kind: "bind" | "unbind", gpuAddress: string, requestId: string): Promise<BindReport__Output> {
    const client = this.client(agentId);
    return new Promise((resolve, reject) => {
      const fn = kind === "bind" ? client.BindGpu.bind(client) : client.UnbindGpu.bind(client);
      fn({ gpuAddress, requestId }, { deadline: deadline(DEADLINES.bind) }, (err, r) => (err ? reject(err) : resolve(r!)));
    });
  }

  createKernel(agentId: string, req: CreateKernelRequest): Promise<{ containerId: string; warnings: string[]; contextJson: string }> {
    const client = this.client(agentId);
    return new Promise((resolve, reject) =>
      client.CreateKernel(req, { deadline: deadline(DEADLINES.inventory) }, (err, r) =>
        err ? reject(err) : resolve({ containerId: r!.containerId, warnings: r!.warnings, contextJson: r!.contextJson }),
      ),
    );
  }

  destroyKernel(agentId: string, kernelId: string, reason: string): Promise<boolean> {
    const client = this.client(agentId);
    return new Promise((resolve, reject) =>
      client.DestroyKernel({ kernelId, reason }, { deadline: deadline(DEADLINES.bind) }, (err, r) => (err ? reject(err) : resolve(r!.existed))),
    );
  }

  listKernels(agentId: string): Promise<{ kernelId: string; sessionId: string; containerId: string; status: string; gpuAddresses: string[] }[]> {
    const client = this.client(agentId);
    return new Promise((resolve, reject) =>
      client.ListKernels({}, { deadline: deadline(DEADLINES.inventory) }, (err, r) => (err ? reject(err) : resolve(r!.kernels))),
    );
  }

  isConnected(agentId: string) {
    return this.connections.has(agentId);
  }

  close() {
    for (const id of [...this.connections.keys()]) this.disconnect(id);
  }
}
