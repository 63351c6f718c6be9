import { describe, expect, it } from "vitest";
import { backoffMs, classifyCallFailure, decideStart, DEFAULT_RETRY_POLICY as P, retryPolicyFromEnv } from "./retry";

const meta = (code: string) => ({ get: (k: string) => (k === "hypercell-error-code" ? [code] : []) });

describe("BEP-1030 retry decisions", () => {
  it("tells a call that did not get through from a host's refusal", () => {
    expect(classifyCallFailure({ code: 14, details: "No connection established" })).toEqual({ code: "UNAVAILABLE", transient: true, message: "No connection established" });
    expect(classifyCallFailure({ code: 4, details: "Deadline exceeded" }).transient).toBe(true);
    expect(classifyCallFailure({ code: 9, details: "GPU 0000:1b:00.0 is not bound to vfio-pci", metadata: meta("PRECONDITION_FAILED") })).toEqual({ code: "PRECONDITION_FAILED", transient: false, message: "GPU 0000:1b:00.0 is not bound to vfio-pci" });
    expect(classifyCallFailure({ code: 2, details: "containerd is not reachable", metadata: meta("RUNTIME_ERROR") }).transient).toBe(true);
    expect(classifyCallFailure({ code: 3, details: "bad", metadata: meta("BAD_INPUT") }).transient).toBe(false);
    expect(classifyCallFailure(new Error("boom"))).toEqual({ code: "UNKNOWN", transient: false, message: "boom" });
  });

  it("backs off exponentially up to the cap", () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(P, n))).toEqual([2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);
  });

  it("retries transient failures, then reschedules, then fails", () => {
    const transient = { code: "UNAVAILABLE", transient: true, message: "x" };
    expect(decideStart(P, { failure: transient, attempts: 1, reschedules: 0, othersStarted: false })).toEqual({ action: "retry", afterMs: 2_000 });
    expect(decideStart(P, { failure: transient, attempts: 3, reschedules: 0, othersStarted: false })).toEqual({ action: "reschedule" });
    expect(decideStart(P, { failure: transient, attempts: 3, reschedules: 2, othersStarted: false })).toEqual({ action: "fail" });
    expect(decideStart(P, { failure: transient, attempts: 3, reschedules: 0, othersStarted: true })).toEqual({ action: "fail" });
    // A host-specific refusal goes elsewhere at once; a request the agent calls malformed fails.
    expect(decideStart(P, { failure: { code: "GPU_IOMMU_GROUP_UNSAFE", transient: false, message: "x" }, attempts: 1, reschedules: 0, othersStarted: false })).toEqual({ action: "reschedule" });
    expect(decideStart(P, { failure: { code: "BAD_INPUT", transient: false, message: "x" }, attempts: 1, reschedules: 0, othersStarted: false })).toEqual({ action: "fail" });
  });

  it("reads overrides from the environment and names a bad one", () => {
    expect(retryPolicyFromEnv({ HYPERCELL_RETRY_START_ATTEMPTS: "5" }).startMaxAttempts).toBe(5);
    expect(() => retryPolicyFromEnv({ HYPERCELL_RETRY_START_TIMEOUT_SEC: "soon" })).toThrow('HYPERCELL_RETRY_START_TIMEOUT_SEC="soon" must be a number ≥ 1');
  });
});
