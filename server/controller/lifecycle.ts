/**
 * Session and kernel lifecycle after scheduling (Backend.AI's StartSessions / promotion handlers /
 * TerminateSessions): starts SCHEDULED kernels on their agents, applies the kernel events agents
 * stream back, promotes sessions (all kernels RUNNING → RUNNING; any kernel ended → TERMINATING;
 * all ended → TERMINATED), and destroys the kernels of TERMINATING sessions. GPUs are released the
 * moment their kernel is gone.
 */
import type { Db, Tx } from "../db";
import type { KernelStatus, SessionStatus } from "../db/generated/enums";
import type { KernelEvent__Output } from "../proto/generated/hypercell/agent/v1/KernelEvent";
import type { AgentGateway } from "./agent-gateway";
import { appendAuditEvent } from "../audit/record";
import type { NetworkPolicySync } from "./network-sync";
import { SESSION_STATUS_CHANNEL } from "../realtime/channels";
import { classifyCallFailure, decideStart, DEFAULT_RETRY_POLICY, type CallFailure, type RetryPolicy } from "../domain/sessions/retry";
import { recordAttempt, reschedulesOf, startAttemptsOn } from "./scheduling-history";
import { parseVfolderMounts } from "../domain/storage/vfolder-mounts";

const TERMINAL: readonly KernelStatus[] = ["TERMINATED", "CANCELLED", "ERROR"];
const SESSION_TERMINAL: readonly SessionStatus[] = ["TERMINATED", "CANCELLED", "ERROR"];

async function setSession(tx: Tx, id: string, from: SessionStatus, to: SessionStatus, reason: string, extra: object = {}) {
  const n = await tx.session.updateMany({ where: { id, status: from }, data: { status: to, statusInfo: reason, ...extra } });
  if (!n.count) return false;
  await tx.sessionStatusHistory.create({ data: { sessionId: id, fromStatus: from, toStatus: to, reason } });
  await tx.$executeRaw`SELECT pg_notify(${SESSION_STATUS_CHANNEL}, ${id})`;
  return true;
}

/** Sessions follow their kernels. */
async function promote(tx: Tx, sessionId: string, now: Date) {
  const s = await tx.session.findUnique({ where: { id: sessionId }, select: { status: true, kernels: { select: { status: true, statusInfo: true } } } });
  if (!s || SESSION_TERMINAL.includes(s.status)) return;
  const ks = s.kernels.map((k) => k.status);
  const anyEnded = ks.some((k) => TERMINAL.includes(k));
  const allEnded = ks.every((k) => TERMINAL.includes(k));
  if (allEnded) {
    const failed = s.kernels.find((k) => k.status === "ERROR");
    const to: SessionStatus = failed && s.status !== "TERMINATING" ? "ERROR" : "TERMINATED";
    if (await setSession(tx, sessionId, s.status, to, failed?.statusInfo ?? "all kernels ended", { terminatedAt: now, result: failed ? "FAILURE" : "SUCCESS" })) {
      await appendAuditEvent(tx, { actor: null, requestId: `lifecycle-${sessionId}`, clientAddress: null }, { action: `sessions.${to.toLowerCase()}`, targetType: "session", targetId: sessionId, before: { status: s.status }, after: { status: to }, result: to === "ERROR" ? "error" : "success", message: failed?.statusInfo ?? null });
    }
    return;
  }
  if (anyEnded && s.status !== "TERMINATING") {
    await setSession(tx, sessionId, s.status, "TERMINATING", "a kernel ended");
    return;
  }
  if (s.status === "TERMINATING") return;
  const next: SessionStatus = ks.every((k) => k === "RUNNING") ? "RUNNING" : ks.some((k) => k === "CREATING") ? "CREATING" : ks.some((k) => k === "PULLING") ? "PULLING" : "PREPARING";
  if (next !== s.status) await setSession(tx, sessionId, s.status, next, next === "RUNNING" ? "every kernel is running" : `kernels ${next.toLowerCase()}`, next === "RUNNING" ? { startedAt: now } : {});
}

/** Writes one kernel event from an agent; ignores events for kernels not on that agent. */
export async function applyKernelEvent(db: Db, agentId: string, ev: KernelEvent__Output, now = new Date()) {
  const to = ev.status as KernelStatus;
  await db.$transaction(async (tx) => {
    const k = await tx.kernel.findUnique({ where: { id: ev.kernelId }, select: { status: true, agentId: true, sessionId: true } });
    if (!k || k.agentId !== agentId) return;
    if (TERMINAL.includes(k.status) && to !== "ERROR") return;
    if (k.status === to && to === "CREATING" && ev.reason) {
      // A boot phase (VM started, attestation, BAR mapping…): one timeline entry each.
      await tx.kernelStatusHistory.create({ data: { kernelId: ev.kernelId, fromStatus: to, toStatus: to, reason: ev.reason } });
    }
    if (k.status !== to) {
      await tx.kernel.update({
        where: { id: ev.kernelId },
        data: {
          status: to,
          statusInfo: ev.reason,
          statusChangedAt: now,
          containerId: ev.containerId || undefined,
          terminatedAt: TERMINAL.includes(to) ? now : undefined,
          statusHistory: { create: { fromStatus: k.status, toStatus: to, reason: ev.reason } },
        },
      });
    }
    await tx.$executeRaw`SELECT pg_notify(${SESSION_STATUS_CHANNEL}, ${k.sessionId})`;
    if (TERMINAL.includes(to)) await tx.allocation.updateMany({ where: { kernelId: ev.kernelId, releasedAt: null }, data: { releasedAt: now } });
    await promote(tx, k.sessionId, now);
  });
}

const inFlight = new Set<string>();


/** Kernels waiting out a retry backoff: id → earliest next attempt (ms since epoch). */
const notBefore = new Map<string, number>();

/**
 * Since when this controller has been watching (set on its first pass). A host is only held to have
 * been unreachable since then: after a controller restart, agents get time to reconnect before any
 * kernel is given up on.
 */
let watchingSince: number | null = null;
function unreachableSec(statusChangedAt: Date, now: Date): number {
  watchingSince ??= Date.now();
  return (now.getTime() - Math.max(statusChangedAt.getTime(), watchingSince)) / 1000;
}

/**
 * Asks agents to start every SCHEDULED kernel (BEP-1030's StartSessions). A call that did not get
 * through is retried with backoff (NEED_RETRY); after the host's attempts — or at once when the host
 * refuses — the coordinator gives up on that host and sends the session back to PENDING to be placed
 * elsewhere (GIVE_UP), until its reschedules run out (then ERROR). A kernel whose host stays
 * unreachable past the start timeout is given up on the same way (EXPIRED). Every outcome is recorded
 * in the session's scheduling history.
 */
export async function startScheduled(db: Db, gateway: AgentGateway, log: (m: string) => void, network?: NetworkPolicySync, policy: RetryPolicy = DEFAULT_RETRY_POLICY, now = new Date()) {
  const kernels = await db.kernel.findMany({
    where: { status: "SCHEDULED", containerId: null, agentId: { not: null }, session: { status: { in: ["SCHEDULED", "PREPARING", "PULLING", "CREATING"] } } },
    include: { session: { include: { kernels: { select: { id: true, clusterHostname: true, containerId: true } } } } },
  });
  // A host that stays away too long: give up on it rather than wait forever.
  for (const k of kernels) {
    if (inFlight.has(k.id) || gateway.isConnected(k.agentId!)) continue;
    const waited = unreachableSec(k.statusChangedAt, now);
    if (waited < policy.startTimeoutSec) continue;
    inFlight.add(k.id);
    try {
      const failure: CallFailure = { code: "UNAVAILABLE", transient: true, message: `host ${k.agentId} has not been reachable for ${Math.round(waited)} s` };
      const given = { reschedules: await reschedulesOf(db, k.sessionId), othersStarted: othersStarted(k) };
      // Expiry is already the give-up: no retry on this host, only the choice between elsewhere and ERROR.
      const { action } = decideStart(policy, { failure: null, attempts: 1, ...given });
      await giveUpStart(db, k, failure, "EXPIRED", { action: action === "reschedule" ? "reschedule" : "fail", ...given }, policy, log);
    } finally {
      inFlight.delete(k.id);
    }
  }
  const ready = kernels.filter((k) => !inFlight.has(k.id) && gateway.isConnected(k.agentId!) && (notBefore.get(k.id) ?? 0) <= now.getTime());
  // Policy first: a VM must never come up on the network before its session's fence exists.
  if (network?.enabled && ready.length) {
    try {
      await network.reconcile("sessions starting");
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      for (const k of ready) {
        await applyKernelEvent(db, k.agentId!, { kernelId: k.id, sessionId: k.sessionId, status: "ERROR", reason: `failed-to-create: network policy could not be written to Calico's datastore: ${why}`, containerId: "", exitCode: 0 });
      }
      log(`network policy could not be written; ${ready.length} kernel(s) not started: ${why}`);
      return;
    }
  }
  // Cluster members find each other by name: the hosts file carries every placed member's address.
  const addresses = ready.length && network ? await network.addresses().catch(() => new Map<string, string>()) : new Map<string, string>();
  for (const k of ready) {
    if (inFlight.has(k.id)) continue;
    inFlight.add(k.id);
    const devices = (k.attachedDevices ?? {}) as { "cuda.device"?: { pciAddress: string; iommuGroup: number }[]; nics?: string[] };
    const slots = k.requestedSlots as { cpu?: number; mem?: number };
    try {
      const r = await gateway.createKernel(k.agentId!, {
        sessionId: k.sessionId,
        kernelId: k.id,
        clusterRole: k.clusterRole,
        clusterIdx: k.clusterIdx,
        clusterHostname: k.clusterHostname,
        clusterSize: k.session.clusterSize,
        members: k.session.kernels.map((m) => ({ hostname: m.clusterHostname, address: addresses.get(m.id) ?? "" })),
        image: k.image,
        startupCommand: k.session.startupCommand ?? "",
        sessionType: k.session.type,
        cpu: slots.cpu ?? 1,
        mem: slots.mem ?? 0,
        gpus: (devices["cuda.device"] ?? []).map((g) => ({ address: g.pciAddress, iommuGroup: g.iommuGroup })),
        environ: (k.session.environ ?? {}) as Record<string, string>,
        confidential: k.session.confidential,
        requestId: `start-${k.id}`,
        vfolders: parseVfolderMounts(k.session.vfolderMounts).map(({ name, hostPath, mountPath, readOnly }) => ({ name, hostPath, mountPath, readOnly })),
        nicAddresses: devices.nics ?? [],
      });
      let context: object | undefined;
      try {
        context = r.contextJson ? { ...(JSON.parse(r.contextJson) as object), warnings: r.warnings } : undefined;
      } catch {
        context = undefined;
      }
      notBefore.delete(k.id);
      await db.kernel.updateMany({ where: { id: k.id }, data: { containerId: r.containerId, ...(context ? { creationContext: context } : {}) } });
      await recordAttempt(db, { sessionId: k.sessionId, phase: "start", agentId: k.agentId, fromStatus: k.session.status, result: "SUCCESS", message: `${k.clusterHostname}: CreateKernel accepted by ${k.agentId}` });
      log(`kernel ${k.id} starting on ${k.agentId}${r.warnings.length ? ` (${r.warnings.join("; ")})` : ""}`);
    } catch (e) {
      const failure = classifyCallFailure(e);
      const attempts = (await startAttemptsOn(db, k.sessionId, k.agentId!)) + 1;
      const given = { reschedules: await reschedulesOf(db, k.sessionId), othersStarted: othersStarted(k) };
      const decision = decideStart(policy, { failure, attempts, ...given });
      if (decision.action === "retry") {
        await recordAttempt(db, { sessionId: k.sessionId, phase: "start", agentId: k.agentId, fromStatus: k.session.status, toStatus: k.session.status, result: "NEED_RETRY", errorCode: failure.code, message: `${k.clusterHostname} on ${k.agentId}: ${failure.message}` });
        notBefore.set(k.id, now.getTime() + decision.afterMs);
        log(`kernel ${k.id} could not start on ${k.agentId} (attempt ${attempts} of ${policy.startMaxAttempts}, retry in ${decision.afterMs} ms): ${failure.message}`);
      } else {
        await giveUpStart(db, k, failure, "GIVE_UP", { action: decision.action, ...given }, policy, log, attempts);
      }
    } finally {
      inFlight.delete(k.id);
    }
  }
}

type StartingKernel = { id: string; sessionId: string; agentId: string | null; clusterHostname: string; session: { status: SessionStatus; kernels: { id: string; containerId: string | null }[] } };

/** Whether another VM of the kernel's session has already been created (then it cannot simply be placed again). */
const othersStarted = (k: StartingKernel) => k.session.kernels.some((m) => m.id !== k.id && m.containerId);

/** What the coordinator decided once it stopped retrying on the host, and what it decided from. */
type GiveUp = { action: "reschedule" | "fail"; reschedules: number; othersStarted: boolean };

/**
 * Gives up starting `k` on its host: back to PENDING (allocations released, the host avoided next
 * time) while reschedules remain and no other VM of the session has started; ERROR otherwise.
 */
async function giveUpStart(db: Db, k: StartingKernel, failure: CallFailure, result: "GIVE_UP" | "EXPIRED", decision: GiveUp, policy: RetryPolicy, log: (m: string) => void, attempts = 1) {
  notBefore.delete(k.id);
  const { reschedules } = decision;
  const tries = attempts > 1 ? ` after ${attempts} attempts` : "";
  const what = `${k.clusterHostname} could not be started on ${k.agentId}${tries}: ${failure.message}`;
  if (decision.action === "fail") {
    const why =
      failure.code === "BAD_INPUT"
        ? "the host refused the request itself"
        : decision.othersStarted
          ? "other VMs of the cluster had already started"
          : `it was already placed ${reschedules + 1} times (at most ${policy.maxReschedules} reschedules)`;
    await recordAttempt(db, { sessionId: k.sessionId, phase: "start", agentId: k.agentId, fromStatus: k.session.status, toStatus: "ERROR", result, errorCode: failure.code, message: `${what}; gave up: ${why}` });
    await applyKernelEvent(db, k.agentId!, { kernelId: k.id, sessionId: k.sessionId, status: "ERROR", reason: `failed-to-create: ${what}`, containerId: "", exitCode: 0 });
    log(`kernel ${k.id}: ${what}; session ends in ERROR (${why})`);
    return;
  }
  const reason = `rescheduled: ${what}`;
  const now = new Date();
  const moved = await db.$transaction(async (tx) => {
    const s = await tx.session.findUnique({ where: { id: k.sessionId }, select: { status: true } });
    if (!s || !["SCHEDULED", "PREPARING"].includes(s.status)) return false;
    const ks = await tx.kernel.findMany({ where: { sessionId: k.sessionId }, select: { id: true, status: true, containerId: true } });
    if (ks.some((x) => x.containerId || !["SCHEDULED", "PREPARING"].includes(x.status))) return false;
    await tx.allocation.updateMany({ where: { kernelId: { in: ks.map((x) => x.id) }, releasedAt: null }, data: { releasedAt: now } });
    for (const x of ks) {
      await tx.kernel.update({
        where: { id: x.id },
        data: { status: "PENDING", agentId: null, attachedDevices: {}, statusInfo: reason, statusChangedAt: now, statusHistory: { create: { fromStatus: x.status, toStatus: "PENDING", reason } } },
      });
    }
    await setSession(tx, k.sessionId, s.status, "PENDING", reason, { pendingReason: `Waiting to be placed again: ${k.agentId} could not start it.` });
    await recordAttempt(tx, { sessionId: k.sessionId, phase: "start", agentId: k.agentId, fromStatus: s.status, toStatus: "PENDING", result, errorCode: failure.code, message: what });
    await appendAuditEvent(tx, { actor: null, requestId: `reschedule-${k.sessionId}-${now.getTime()}`, clientAddress: null }, {
      action: "sessions.reschedule",
      targetType: "session",
      targetId: k.sessionId,
      before: { status: s.status, host: k.agentId },
      after: { status: "PENDING" },
      result: "success",
      message: reason,
    });
    await tx.$executeRaw`SELECT pg_notify('hypercell_sessions', ${k.sessionId})`;
    return true;
  });
  if (moved) log(`session ${k.sessionId} sent back to PENDING: ${what}`);
  else await applyKernelEvent(db, k.agentId!, { kernelId: k.id, sessionId: k.sessionId, status: "ERROR", reason: `failed-to-create: ${what}`, containerId: "", exitCode: 0 });
}

/**
 * Destroys the live kernels of TERMINATING sessions (BEP-1030's TerminateSessions); the agent's
 * TERMINATED event releases their GPUs. A failed call is retried next pass (NEED_RETRY); a kernel whose
 * host stays unreachable past the give-up time is declared TERMINATED (GIVE_UP) — its VM is removed by
 * reconciliation when the host comes back.
 */
export async function destroyTerminating(db: Db, gateway: AgentGateway, log: (m: string) => void, policy: RetryPolicy = DEFAULT_RETRY_POLICY, now = new Date()) {
  const kernels = await db.kernel.findMany({
    where: { session: { status: "TERMINATING" }, containerId: { not: null }, status: { notIn: [...TERMINAL] }, agentId: { not: null } },
    select: { id: true, agentId: true, sessionId: true, clusterHostname: true, statusChangedAt: true, session: { select: { statusInfo: true } } },
  });
  for (const k of kernels) {
    if (inFlight.has(k.id)) continue;
    if (!gateway.isConnected(k.agentId!)) {
      const waited = unreachableSec(k.statusChangedAt, now);
      if (waited < policy.terminateGiveUpSec) continue; // retried when the host is back
      const what = `${k.clusterHostname}: host ${k.agentId} unreachable for ${Math.round(waited)} s; declared terminated, its VM is removed when the host returns`;
      await recordAttempt(db, { sessionId: k.sessionId, phase: "terminate", agentId: k.agentId, fromStatus: "TERMINATING", toStatus: "TERMINATED", result: "GIVE_UP", errorCode: "UNAVAILABLE", message: what });
      await applyKernelEvent(db, k.agentId!, { kernelId: k.id, sessionId: k.sessionId, status: "TERMINATED", reason: `force-terminated: ${what}`, containerId: "", exitCode: 0 });
      log(`kernel ${k.id}: ${what}`);
      continue;
    }
    inFlight.add(k.id);
    try {
      const existed = await gateway.destroyKernel(k.agentId!, k.id, k.session.statusInfo ?? "user-requested");
      if (!existed) await applyKernelEvent(db, k.agentId!, { kernelId: k.id, sessionId: k.sessionId, status: "TERMINATED", reason: "not found on its host", containerId: "", exitCode: 0 });
    } catch (e) {
      const failure = classifyCallFailure(e);
      await recordAttempt(db, { sessionId: k.sessionId, phase: "terminate", agentId: k.agentId, fromStatus: "TERMINATING", toStatus: "TERMINATING", result: "NEED_RETRY", errorCode: failure.code, message: `${k.clusterHostname} on ${k.agentId}: ${failure.message}` });
      log(`could not destroy kernel ${k.id} on ${k.agentId}: ${failure.message}`);
    } finally {
      inFlight.delete(k.id);
    }
  }
}

const LIVE_ON_HOST: readonly KernelStatus[] = ["PREPARING", "PULLING", "CREATING", "RUNNING", "TERMINATING"];

/**
 * After an agent (re)joins: compares what the database thinks runs there with what the agent reports.
 * A kernel missing on its host goes to ERROR with that reason (its GPUs are released); a kernel the
 * host runs but the database does not know is reported (audited, logged), never silently killed.
 */
export async function reconcileAgent(db: Db, gateway: AgentGateway, agentId: string, log: (m: string) => void): Promise<{ missing: string[]; unknown: string[] }> {
  const reported = await gateway.listKernels(agentId);
  const onHost = new Map(reported.map((k) => [k.kernelId, k]));
  const expected = await db.kernel.findMany({ where: { agentId, status: { in: [...LIVE_ON_HOST] }, containerId: { not: null } }, select: { id: true, sessionId: true, status: true } });
  const missing: string[] = [];
  for (const k of expected) {
    if (onHost.has(k.id)) continue;
    if (k.status === "TERMINATING") {
      // Being torn down: gone from the host is what was asked; its own TERMINATED event may still be on its way.
      await applyKernelEvent(db, agentId, { kernelId: k.id, sessionId: k.sessionId, status: "TERMINATED", reason: "gone from its host while terminating", containerId: "", exitCode: 0 });
      continue;
    }
    missing.push(k.id);
    await applyKernelEvent(db, agentId, { kernelId: k.id, sessionId: k.sessionId, status: "ERROR", reason: "missing on its host: the agent does not run this kernel any more", containerId: "", exitCode: 0 });
    await gateway.destroyKernel(agentId, k.id, "cleanup of a kernel missing after an agent restart").catch(() => false);
    log(`kernel ${k.id} is missing on ${agentId}; marked ERROR`);
  }
  // Known kernels whose VM did not survive (the agent died while starting it), or that already ended:
  // clean them off the host, and end the live ones in ERROR with that reason.
  const rows = await db.kernel.findMany({ where: { id: { in: [...onHost.keys()] } }, select: { id: true, status: true, sessionId: true } });
  for (const row of rows) {
    const r = onHost.get(row.id)!;
    const dbLive = LIVE_ON_HOST.includes(row.status);
    // Still booting or being torn down on the host: its own events will say how that ends.
    if (["PREPARING", "PULLING", "CREATING", "TERMINATING"].includes(r.status)) continue;
    if (r.status === "RUNNING" && dbLive) {
      // The agent died after the VM came up but before it could say so.
      if (row.status !== "RUNNING" && row.status !== "TERMINATING") {
        await applyKernelEvent(db, agentId, { kernelId: row.id, sessionId: row.sessionId, status: "RUNNING", reason: "found running after the agent's restart", containerId: r.containerId, exitCode: 0 });
      }
      continue;
    }
    if (r.status !== "RUNNING" || TERMINAL.includes(row.status)) {
      // Record why first: the cleanup's own TERMINATED event must not replace the reason.
      if (dbLive) {
        missing.push(row.id);
        await applyKernelEvent(db, agentId, { kernelId: row.id, sessionId: row.sessionId, status: "ERROR", reason: "the VM did not survive the agent's restart (it was not running); removed", containerId: "", exitCode: 0 });
      }
      await gateway.destroyKernel(agentId, row.id, "cleanup after agent restart").catch(() => false);
      log(`kernel ${row.id} on ${agentId} was ${r.status} on the host and ${row.status} here; removed`);
    }
  }
  const known = new Set(rows.map((k) => k.id));
  const unknown = reported.filter((k) => !known.has(k.kernelId)).map((k) => k.kernelId);
  if (unknown.length) {
    await db.$transaction((tx) =>
      appendAuditEvent(tx, { actor: null, requestId: `reconcile-${agentId}-${Date.now()}`, clientAddress: null }, {
        action: "agents.unknownKernels",
        targetType: "agent",
        targetId: agentId,
        after: { kernels: reported.filter((k) => unknown.includes(k.kernelId)) },
        result: "error",
        message: `host ${agentId} runs ${unknown.length} kernel(s) the database does not know; left running for an admin to inspect`,
      }),
    );
    log(`${agentId} runs unknown kernels ${unknown.join(", ")}; left running and reported`);
  }
  return { missing, unknown };
}

export { promote as _promoteForTests };
