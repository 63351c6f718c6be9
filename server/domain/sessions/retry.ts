// BEP-1030's coordinator decisions for the phases after placement: a handler's failure is retried
// (need_retry: the session stays where it is), or the coordinator gives up — a kernel that could not be
// started goes back to PENDING to be placed again (avoiding the host that failed), and a kernel that
// cannot be destroyed is declared TERMINATED once its host has been unreachable long enough. Pure.

export interface RetryPolicy {
  /** CreateKernel attempts on one host before giving up on that host. */
  startMaxAttempts: number;
  /** A SCHEDULED kernel whose host stays unreachable this long is given up on (EXPIRED). */
  startTimeoutSec: number;
  /** How many times a session may go back to PENDING before it ends in ERROR. */
  maxReschedules: number;
  /** A TERMINATING kernel whose host stays unreachable this long is declared TERMINATED. */
  terminateGiveUpSec: number;
  /** Wait before retry n: base · 2^(n-1), at most cap. */
  backoffBaseMs: number;
  backoffCapMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  startMaxAttempts: 3,
  startTimeoutSec: 120,
  maxReschedules: 2,
  terminateGiveUpSec: 300,
  backoffBaseMs: 2_000,
  backoffCapMs: 30_000,
};

/** Reads overrides from HYPERCELL_RETRY_* variables; a malformed value is an error naming it. */
export function retryPolicyFromEnv(env: Record<string, string | undefined>): RetryPolicy {
  const read = (name: string, fallback: number, min: number) => {
    const raw = env[name];
    if (raw === undefined || raw.trim() === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < min) throw new Error(`${name}="${raw}" must be a number ≥ ${min}`);
    return n;
  };
  const d = DEFAULT_RETRY_POLICY;
  return {
    startMaxAttempts: read("HYPERCELL_RETRY_START_ATTEMPTS", d.startMaxAttempts, 1),
    startTimeoutSec: read("HYPERCELL_RETRY_START_TIMEOUT_SEC", d.startTimeoutSec, 1),
    maxReschedules: read("HYPERCELL_RETRY_MAX_RESCHEDULES", d.maxReschedules, 0),
    terminateGiveUpSec: read("HYPERCELL_RETRY_TERMINATE_GIVE_UP_SEC", d.terminateGiveUpSec, 1),
    backoffBaseMs: read("HYPERCELL_RETRY_BACKOFF_MS", d.backoffBaseMs, 0),
    backoffCapMs: read("HYPERCELL_RETRY_BACKOFF_CAP_MS", d.backoffCapMs, 0),
  };
}

/**
 * gRPC status codes (by number) that say the call did not get through or the host was busy — worth
 * trying again — as opposed to the agent refusing the request (bad input, unsafe GPU, no storage).
 */
const TRANSIENT_GRPC = new Map<number, string>([
  [1, "CANCELLED"],
  [4, "DEADLINE_EXCEEDED"],
  [8, "RESOURCE_EXHAUSTED"],
  [10, "ABORTED"],
  [14, "UNAVAILABLE"],
]);

/** Agent error codes (hypercell-error-code) that a retry can cure: the container runtime had a hiccup. */
const TRANSIENT_AGENT = new Set(["RUNTIME_ERROR"]);

export interface CallFailure {
  /** A short code for the record: the agent's own code when it sent one, else the gRPC status name. */
  code: string;
  transient: boolean;
  message: string;
}

/** Classifies a failed agent call (a gRPC ServiceError, or anything thrown). */
export function classifyCallFailure(err: unknown): CallFailure {
  const e = (err ?? {}) as { code?: unknown; details?: unknown; message?: unknown; metadata?: { get?: (k: string) => unknown[] } };
  const agentCode = e.metadata?.get?.("hypercell-error-code")?.[0];
  const grpcCode = typeof e.code === "number" ? e.code : null;
  const message = typeof e.details === "string" && e.details ? e.details : typeof e.message === "string" ? e.message : String(err);
  if (typeof agentCode === "string") return { code: agentCode, transient: TRANSIENT_AGENT.has(agentCode), message };
  if (grpcCode !== null && TRANSIENT_GRPC.has(grpcCode)) return { code: TRANSIENT_GRPC.get(grpcCode)!, transient: true, message };
  return { code: grpcCode !== null ? `GRPC_${grpcCode}` : "UNKNOWN", transient: false, message };
}

/** How long to wait before the next attempt, after `attempts` failed ones. */
export function backoffMs(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** Math.max(0, attempts - 1));
}

export type StartDecision = { action: "retry"; afterMs: number } | { action: "reschedule" } | { action: "fail" };

/**
 * What to do after a failed start on one host: retry a transient failure until the host has had its
 * attempts; then, or at once for a refusal that a retry would only repeat, place the session again
 * elsewhere while reschedules remain — unless the session is a cluster some of whose VMs already
 * started (they would have to be torn down too), or the failure is the request's own fault.
 */
export function decideStart(policy: RetryPolicy, input: { failure: CallFailure | null; attempts: number; reschedules: number; othersStarted: boolean }): StartDecision {
  const { failure, attempts, reschedules, othersStarted } = input;
  if (failure?.transient && attempts < policy.startMaxAttempts) return { action: "retry", afterMs: backoffMs(policy, attempts) };
  // A refusal (bad input, unsafe GPU group, storage the host cannot mount) would be the same anywhere
  // only for BAD_INPUT; host-specific refusals are worth another host.
  if (failure && !failure.transient && failure.code === "BAD_INPUT") return { action: "fail" };
  if (othersStarted || reschedules >= policy.maxReschedules) return { action: "fail" };
  return { action: "reschedule" };
}
