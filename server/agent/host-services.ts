/**
 * The capabilities the agent's gRPC service delegates to. Each has a real implementation on a GPU
 * host and runs unchanged against a simulated host's fake sysfs tree.
 */
import type { HostInventory } from "../domain/topology/inventory";

export type PreflightStatus = "pass" | "warn" | "fail";

export interface PreflightCheck {
  id: string;
  title: string;
  status: PreflightStatus;
  /** A failure the agent refuses to start on (BEP-1051's host requirements). */
  fatal: boolean;
  evidence: string;
  fix: string;
}

export interface Preflight {
  /** Runs every check. Never throws: a check that cannot run reports `fail` with what went wrong. */
  run(): Promise<PreflightCheck[]>;
}

export interface BindStep {
  device: string;
  fromDriver: string | null;
  toDriver: string | null;
  ok: boolean;
  message: string;
}

export interface BindOutcome {
  ok: boolean;
  rolledBack: boolean;
  message: string;
  steps: BindStep[];
}

export interface GpuBinder {
  /**
   * Binds the GPU and every other member of its IOMMU group to vfio-pci, recording each device's
   * original driver first; on any failure or timeout restores every member and says what happened.
   * Throws AppError NOT_FOUND for an unknown address, GPU_IOMMU_GROUP_UNSAFE for an unsafe group,
   * PRECONDITION_FAILED when the GPU is allocated or the IOMMU is off.
   */
  bind(gpuAddress: string, inventory: HostInventory, opts: { allocated: (address: string) => boolean }): Promise<BindOutcome>;
  /**
   * Returns every member of the GPU's IOMMU group to the driver recorded when it was bound (or the
   * kernel's default when nothing was recorded). Throws as bind does.
   */
  unbind(gpuAddress: string, inventory: HostInventory, opts: { allocated: (address: string) => boolean }): Promise<BindOutcome>;
}

export interface MetricSample {
  name: string;
  value: number;
  labels: Record<string, string>;
  timestampMs: number | null;
}

export interface MetricsBatch {
  kernelId: string;
  sessionId: string;
  scrapedAtMs: number;
  samples: MetricSample[];
  /** Why the scrape failed (samples are empty then); null on success. */
  error: string | null;
  malformed: string[];
}

export interface KernelTelemetry {
  /**
   * Starts scraping a running kernel's in-guest exporters (DCGM :9400, node_exporter :9100) at the
   * configured interval and hands each batch to `emit`. Never throws: a failed scrape is a batch with
   * `error` set. Returns the function that stops it.
   */
  watch(kernel: { kernelId: string; sessionId: string; gpus: string[] }, emit: (batch: MetricsBatch) => void): () => void;
}
