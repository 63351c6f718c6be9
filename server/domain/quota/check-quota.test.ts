import { describe, expect, it } from "vitest";
import { quotaViolations, type Policy } from "./check-quota";

const policy: Policy = { name: "team", totalSlots: { "cuda.device": 8, mem: 64 * 1024 ** 3 }, maxConcurrentSessions: 2, maxPendingSessions: null, maxGpusPerSession: 4 };
const idle = { liveSessions: 0, pendingSessions: 0, occupied: { cpu: 0, mem: 0, "cuda.device": 0 } };

describe("quotaViolations", () => {
  it("passes a request within every limit", () => {
    expect(quotaViolations("project", policy, idle, { perKernel: { cpu: 8, mem: 32 * 1024 ** 3, "cuda.device": 4 }, clusterSize: 1 })).toEqual([]);
  });
  it("names each violated limit with what was asked", () => {
    const v = quotaViolations(
      "project",
      policy,
      { liveSessions: 2, pendingSessions: 0, occupied: { cpu: 0, mem: 48 * 1024 ** 3, "cuda.device": 6 } },
      { perKernel: { cpu: 8, mem: 32 * 1024 ** 3, "cuda.device": 3 }, clusterSize: 2 },
    );
    expect(v).toEqual([
      'project policy "team" allows at most 4 GPUs per session; 6 asked',
      'project policy "team" allows 2 live sessions; 2 already live',
      'project policy "team" caps mem at 64 GiB; 48 GiB in use + 64 GiB asked',
      'project policy "team" caps cuda.device at 8 GPUs; 6 GPUs in use + 6 GPUs asked',
    ]);
  });
  it("allows everything without a policy", () => {
    expect(quotaViolations("user", null, idle, { perKernel: { cpu: 1000, mem: 0, "cuda.device": 1000 }, clusterSize: 9 })).toEqual([]);
  });
});
