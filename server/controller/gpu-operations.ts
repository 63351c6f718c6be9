/**
 * Carries out GPU bind/unbind requests written by the web: claims a pending operation, asks the
 * agent, records the per-device steps and the outcome (with an audit event), and refreshes the
 * host's inventory. Woken by NOTIFY hypercell_gpu_ops, and polls as a fallback.
 */
import pg from "pg";
import type { Db } from "../db";
import type { AgentGateway } from "./agent-gateway";
import { appendAuditEvent } from "../audit/record";

export function startGpuOperationWorker(opts: { db: Db; databaseUrl: string; gateway: AgentGateway; log: (m: string) => void; pollMs?: number }) {
  const { db, gateway, log } = opts;
  let busy = false;
  let again = false;
  let stopped = false;

  async function processOne(): Promise<boolean> {
    const next = await db.gpuOperation.findFirst({ where: { status: "pending" }, orderBy: { createdAt: "asc" }, include: { gpu: { select: { pciAddress: true } } } });
    if (!next) return false;
    const claimed = await db.gpuOperation.updateMany({ where: { id: next.id, status: "pending" }, data: { status: "running", startedAt: new Date() } });
    if (!claimed.count) return true; // another worker took it
    let status: "succeeded" | "failed" | "rolled_back" = "failed";
    let message = "";
    let steps: unknown[] = [];
    try {
      const report = await gateway.bindGpu(next.agentId, next.kind, next.gpu.pciAddress, next.requestId);
      status = report.ok ? "succeeded" : report.rolledBack ? "rolled_back" : "failed";
      message = report.message;
      steps = report.steps;
    } catch (e) {
      message = `the agent could not carry it out: ${(e as { details?: string }).details ?? (e instanceof Error ? e.message : String(e))}`;
    }
    await db.$transaction(async (tx) => {
      await tx.gpuOperation.update({ where: { id: next.id }, data: { status, message, steps: steps as object[], finishedAt: new Date() } });
      await appendAuditEvent(tx, { actor: null, requestId: next.requestId, clientAddress: null }, {
        action: next.kind === "bind" ? "gpus.bind.finished" : "gpus.unbind.finished",
        targetType: "gpu",
        targetId: next.gpuId,
        after: { status, host: next.agentId, pciAddress: next.gpu.pciAddress, requestedBy: next.requestedBy },
        result: status === "succeeded" ? "success" : "error",
        message,
      });
    });
    log(`${next.kind} ${next.agentId} ${next.gpu.pciAddress}: ${status}${message ? ` — ${message}` : ""}`);
    await gateway.refreshInventory(next.agentId).catch(() => {});
    return true;
  }

  async function drain() {
    if (busy) {
      again = true;
      return;
    }
    busy = true;
    try {
      do {
        again = false;
        while (!stopped && (await processOne())) {}
      } while (again && !stopped);
    } catch (e) {
      log(`gpu operations: ${e instanceof Error ? e.message : e}`);
    } finally {
      busy = false;
    }
  }

  const listener = new pg.Client({ connectionString: opts.databaseUrl });
  listener.on("error", (e) => log(`LISTEN hypercell_gpu_ops lost (${e.message}); polling only`));
  void listener
    .connect()
    .then(() => listener.query("LISTEN hypercell_gpu_ops"))
    .then(() => listener.on("notification", () => void drain()))
    .catch((e) => log(`LISTEN hypercell_gpu_ops failed (polling only): ${e instanceof Error ? e.message : e}`));
  // Operations left running by a controller that died: the agent's own state file is the truth, so
  // mark them failed and let the next inventory report show where each device is.
  void db.gpuOperation
    .updateMany({ where: { status: "running" }, data: { status: "failed", message: "the controller restarted while this was running; check the GPU's driver below", finishedAt: new Date() } })
    .then(() => drain());
  const poll = setInterval(() => void drain(), opts.pollMs ?? 3_000);
  return {
    drain,
    stop: async () => {
      stopped = true;
      clearInterval(poll);
      await listener.end().catch(() => {});
    },
  };
}
