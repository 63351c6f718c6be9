/**
 * Quota math for a new session: pure. Returns every violated limit, each in words that say what was
 * asked and what the policy allows.
 */
export type Slots = { cpu?: number; mem?: number; "cuda.device"?: number };

export type Policy = {
  name: string;
  totalSlots: Slots;
  maxConcurrentSessions: number | null;
  maxPendingSessions: number | null;
  maxGpusPerSession: number | null;
};

export type Usage = { liveSessions: number; pendingSessions: number; occupied: Required<Slots> };

export type Request = { perKernel: Required<Slots>; clusterSize: number };

const GiB = 1024 ** 3;
const fmt = (slot: keyof Slots, v: number) => (slot === "mem" ? `${(v / GiB).toFixed(v % GiB ? 1 : 0)} GiB` : slot === "cpu" ? `${v} vCPU` : `${v} GPU${v === 1 ? "" : "s"}`);

export function quotaViolations(scope: string, policy: Policy | null, usage: Usage, req: Request): string[] {
  if (!policy) return [];
  const out: string[] = [];
  const gpus = req.perKernel["cuda.device"] * req.clusterSize;
  if (policy.maxGpusPerSession !== null && gpus > policy.maxGpusPerSession) {
    out.push(`${scope} policy "${policy.name}" allows at most ${policy.maxGpusPerSession} GPUs per session; ${gpus} asked`);
  }
  if (policy.maxConcurrentSessions !== null && usage.liveSessions + 1 > policy.maxConcurrentSessions) {
    out.push(`${scope} policy "${policy.name}" allows ${policy.maxConcurrentSessions} live sessions; ${usage.liveSessions} already live`);
  }
  if (policy.maxPendingSessions !== null && usage.pendingSessions + 1 > policy.maxPendingSessions) {
    out.push(`${scope} policy "${policy.name}" allows ${policy.maxPendingSessions} pending sessions; ${usage.pendingSessions} already pending`);
  }
  for (const slot of ["cpu", "mem", "cuda.device"] as const) {
    const limit = policy.totalSlots[slot];
    if (limit === undefined) continue;
    const want = req.perKernel[slot] * req.clusterSize;
    if (usage.occupied[slot] + want > limit) {
      out.push(`${scope} policy "${policy.name}" caps ${slot} at ${fmt(slot, limit)}; ${fmt(slot, usage.occupied[slot])} in use + ${fmt(slot, want)} asked`);
    }
  }
  return out;
}
