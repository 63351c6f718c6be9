/**
 * KernelTelemetry for simulated hosts. A real VM runs the DCGM exporter on :9400 and the agent
 * scrapes it over the session network; a simulated kernel has no VM, so for each watched kernel
 * with GPUs this starts a SimulatedDcgmExporter (a real HTTP server on 127.0.0.1, a free port)
 * serving that kernel's GPUs — the host's PCI addresses appear as the exporter's pci_bus_id labels,
 * as they would inside a VM whose GPUs keep their host addresses — and scrapes it with the real
 * HttpExporterScraper on the configured, jittered interval. Only the exporter is simulated.
 */
import type { KernelTelemetry, MetricsBatch } from "../host-services.ts";
import { HttpExporterScraper } from "../drivers/telemetry/http-exporter-scraper.ts";
import { SimulatedDcgmExporter, type WorkloadProfile } from "../drivers/telemetry/simulated-dcgm-exporter.ts";
import type { ScrapeResult } from "../drivers/telemetry/gpu-telemetry.ts";
import { normalizePciAddress } from "../../domain/metrics/pci-address.ts";

export interface SimulatedKernelTelemetryOptions {
  /** Host name the exporter reports and the `host` target label; default "hypercell-sim". */
  hostname?: string;
  /** Scrape interval; default 15 s (simulated agents use 5 s so charts move). */
  intervalMs?: number;
  /** Default: the scraper's own (min(10 s, 80 % of the interval)). */
  timeoutMs?: number;
  jitterRatio?: number;
  /** A key of SIMULATED_GPU_MODELS; default H100. */
  modelName?: string;
  profile?: WorkloadProfile;
  /** Xid errors to inject into any watched kernel holding that GPU, `afterMs` after it starts running. */
  xidFaults?: { address: string; code: number; afterMs: number }[];
  log?: (msg: string) => void;
}

/** "0000:18:00.0" → "00000000:18:00.0", the way the DCGM exporter prints a bus id. */
export function exporterBusId(address: string): string {
  const canonical = normalizePciAddress(address) ?? address;
  const [domain, ...rest] = canonical.split(":");
  return `${(domain ?? "0").padStart(8, "0")}:${rest.join(":")}`.toUpperCase();
}

/** A deterministic seed from a string (so the same GPUs get the same simulated UUIDs). */
function seedOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Watched {
  exporter: SimulatedDcgmExporter;
  scraper: HttpExporterScraper | null;
  stopped: boolean;
  stop: () => void;
}

export class SimulatedKernelTelemetry implements KernelTelemetry {
  private readonly opts: SimulatedKernelTelemetryOptions;
  private readonly watched = new Map<string, Watched>();
  private readonly log: (msg: string) => void;

  constructor(opts: SimulatedKernelTelemetryOptions = {}) {
    this.opts = opts;
    this.log = opts.log ?? ((m) => console.log(`[telemetry] ${m}`));
  }

  get intervalMs(): number {
    return this.opts.intervalMs ?? 15_000;
  }

  watch(kernel: { kernelId: string; sessionId: string; gpus: string[] }, emit: (batch: MetricsBatch) => void): () => void {
    if (kernel.gpus.length === 0) return () => {};
    // A kernel watched twice (agent restart recovering it): the old watch ends first.
    this.watched.get(kernel.kernelId)?.stop();
    const hostname = this.opts.hostname ?? "hypercell-sim";
    const exporter = new SimulatedDcgmExporter({
      gpus: kernel.gpus.length,
      pciBusIds: kernel.gpus.map(exporterBusId),
      hostname,
      seed: seedOf(`${hostname}/${kernel.gpus.join(",")}`),
      ...(this.opts.modelName ? { modelName: this.opts.modelName } : {}),
      ...(this.opts.profile ? { profile: this.opts.profile } : {}),
    });
    const w: Watched = { exporter, scraper: null, stopped: false, stop: () => {} };
    this.watched.set(kernel.kernelId, w);
    const toBatch = (r: ScrapeResult): MetricsBatch =>
      r.ok
        ? {
            kernelId: kernel.kernelId,
            sessionId: kernel.sessionId,
            scrapedAtMs: r.startedAtMs,
            samples: r.samples.map((s) => ({ name: s.name, value: s.value, labels: { ...s.labels }, timestampMs: s.timestampMs })),
            error: null,
            malformed: r.malformed.map((m) => `line ${m.line}: ${m.message}`),
          }
        : { kernelId: kernel.kernelId, sessionId: kernel.sessionId, scrapedAtMs: r.startedAtMs, samples: [], error: `${r.kind}: ${r.message}`, malformed: [] };
    exporter.start().then(
      (url) => {
        if (w.stopped) return void exporter.close();
        w.scraper = new HttpExporterScraper({
          url,
          intervalMs: this.intervalMs,
          ...(this.opts.timeoutMs !== undefined ? { timeoutMs: this.opts.timeoutMs } : {}),
          ...(this.opts.jitterRatio !== undefined ? { jitterRatio: this.opts.jitterRatio } : {}),
          targetLabels: { session: kernel.sessionId, kernel: kernel.kernelId, host: hostname },
        });
        w.scraper.start((r) => {
          if (!w.stopped) emit(toBatch(r));
        });
      },
      (e) => this.log(`kernel ${kernel.kernelId}: the simulated exporter did not start: ${e instanceof Error ? e.message : e}`),
    );
    const faultTimers = (this.opts.xidFaults ?? [])
      .filter((f) => kernel.gpus.includes(f.address))
      .map((f) =>
        setTimeout(() => {
          if (w.stopped) return;
          this.log(`kernel ${kernel.kernelId}: injecting Xid ${f.code} on ${f.address}`);
          w.exporter.injectXid(kernel.gpus.indexOf(f.address), f.code);
        }, f.afterMs),
      );
    w.stop = () => {
      if (w.stopped) return;
      w.stopped = true;
      for (const t of faultTimers) clearTimeout(t);
      if (this.watched.get(kernel.kernelId) === w) this.watched.delete(kernel.kernelId);
      void (async () => {
        await w.scraper?.stop();
        await exporter.close();
      })();
    };
    return w.stop;
  }

  /** Makes GPU `gpuIndex` (the exporter's index, i.e. the kernel's n-th GPU) of a watched kernel report Xid `code`. */
  injectXid(kernelId: string, gpuIndex: number, code: number): void {
    const w = this.watched.get(kernelId);
    if (!w) throw new Error(`kernel ${kernelId} is not watched (not RUNNING on this host, or without GPUs)`);
    w.exporter.injectXid(gpuIndex, code);
  }

  /** The exporter serving a watched kernel (tests, demos). */
  exporterOf(kernelId: string): SimulatedDcgmExporter | undefined {
    return this.watched.get(kernelId)?.exporter;
  }

  /** Kernels being watched now. */
  kernels(): string[] {
    return [...this.watched.keys()];
  }

  /** Stops every watch (tests; an agent's kernels stop theirs as they end). */
  async close(): Promise<void> {
    const all = [...this.watched.values()];
    this.watched.clear();
    await Promise.all(
      all.map(async (w) => {
        w.stopped = true;
        await w.scraper?.stop();
        await w.exporter.close();
      }),
    );
  }
}
