// Contract test: the real scraper against the simulated exporter, over a real HTTP round trip on
// 127.0.0.1. No assertion is about speed; short timeouts only make the failure cases quick.
import { afterEach, describe, expect, it } from "vitest";
import { isAppError } from "@/server/errors";
import { evaluateGpuHealth } from "@/server/domain/metrics/health-rules";
import { alertFromXidEvent } from "@/server/domain/metrics/health-rules";
import { parseXidLog } from "@/server/domain/metrics/xid";
import { SIMULATED_DCGM_FIELDS } from "./dcgm-fields";
import type { GpuTelemetry, ScrapeResult, ScrapeSuccess } from "./gpu-telemetry";
import { HttpExporterScraper, mergeTargetLabels } from "./http-exporter-scraper";
import { SimulatedDcgmExporter } from "./simulated-dcgm-exporter";

// Compile-time check that the scraper still satisfies the driver interface.
const _conforms: (s: HttpExporterScraper) => GpuTelemetry = (s) => s;
void _conforms;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function exporter(options: ConstructorParameters<typeof SimulatedDcgmExporter>[0] = {}) {
  const sim = new SimulatedDcgmExporter({ gpus: 8, ...options });
  const url = await sim.start();
  cleanups.push(() => sim.close());
  return { sim, url };
}

function scraper(options: ConstructorParameters<typeof HttpExporterScraper>[0]) {
  const s = new HttpExporterScraper(options);
  cleanups.push(() => s.stop());
  return s;
}

function ok(r: ScrapeResult): ScrapeSuccess {
  if (!r.ok) throw new Error(`scrape failed: ${r.kind}: ${r.message}`);
  return r;
}

describe("HttpExporterScraper against SimulatedDcgmExporter", () => {
  it("scrapes every field of every GPU, gzip-compressed, with the target labels attached", async () => {
    const { url } = await exporter({ hostname: "hgx-sim-1" });
    const s = scraper({ url, intervalMs: 15_000, targetLabels: { session: "sess-1", kernel: "k-0", project: "proj-a", host: "hgx-sim-1" } });
    const r = ok(await s.scrapeOnce());
    expect(r.target).toBe(url);
    expect(r.malformed).toEqual([]);
    expect(r.samples).toHaveLength(SIMULATED_DCGM_FIELDS.length * 8);
    expect([...r.families.keys()]).toEqual(SIMULATED_DCGM_FIELDS.map((f) => f.name));
    const util = r.samples.filter((x) => x.name === "DCGM_FI_DEV_GPU_UTIL");
    expect(util.map((x) => x.labels.gpu)).toEqual(["0", "1", "2", "3", "4", "5", "6", "7"]);
    expect(util[0]!.labels).toMatchObject({ session: "sess-1", kernel: "k-0", project: "proj-a", host: "hgx-sim-1", Hostname: "hgx-sim-1", pci_bus_id: "00000000:18:00.0" });
    expect(util[0]!.labels.UUID).toMatch(/^GPU-/);
    // The exporter answered with gzip; `bytes` counts what came over the wire.
    expect(r.bytes).toBeGreaterThan(0);
    expect(r.bytes).toBeLessThan(r.samples.length * 100);
  });

  it("raises an alert for an injected Xid 79 that names the GPU by the exporter's own UUID and bus id", async () => {
    const { sim, url } = await exporter();
    const s = scraper({ url });
    const before = ok(await s.scrapeOnce());
    expect(evaluateGpuHealth(before.samples)).toEqual([]);
    sim.injectXid(3, 79);
    const after = ok(await s.scrapeOnce());
    const alerts = evaluateGpuHealth(after.samples, { previous: before.samples });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ kind: "xid", severity: "critical", quarantine: true, xid: { code: 79, name: "GPU has fallen off the bus" }, gpu: { uuid: sim.gpus[3]!.uuid, pciBusId: "0000:5d:00.0", gpu: "3" } });
    // The kernel line the driver printed points at the same GPU.
    const fromLog = alertFromXidEvent(parseXidLog(sim.kernelLog().join("\n"))[0]!);
    expect(fromLog.gpu.pciBusId).toBe(alerts[0]!.gpu.pciBusId);
    // The next scrape still shows 79, but it is not news any more.
    expect(evaluateGpuHealth(ok(await s.scrapeOnce()).samples, { previous: after.samples })).toEqual([]);
  });

  it("keeps the good lines and reports malformed ones with their line numbers", async () => {
    const { sim, url } = await exporter({ gpus: 1, gzip: false });
    sim.setFault({ kind: "garbage" });
    const r = ok(await scraper({ url }).scrapeOnce());
    expect(r.samples).toHaveLength(SIMULATED_DCGM_FIELDS.length);
    expect(r.malformedCount).toBe(2);
    const lines = SIMULATED_DCGM_FIELDS.length * 3; // HELP, TYPE, one sample per field
    expect(r.malformed.map((m) => m.line)).toEqual([lines + 1, lines + 2]);
    expect(r.malformed[1]!.message).toBe("label block is missing its closing '}'");
  });
});

describe("HttpExporterScraper failures are values", () => {
  it("reports a non-2xx answer with its status", async () => {
    const { sim, url } = await exporter({ gpus: 1 });
    sim.setFault({ kind: "status", status: 503 });
    const r = await scraper({ url }).scrapeOnce();
    expect(r).toMatchObject({ ok: false, kind: "http-status", status: 503 });
    const missing = await scraper({ url: url.replace("/metrics", "/nope") }).scrapeOnce();
    expect(missing).toMatchObject({ ok: false, kind: "http-status", status: 404 });
  });

  it("gives up after the timeout when the exporter does not answer", async () => {
    const { sim, url } = await exporter({ gpus: 1 });
    sim.setFault({ kind: "hang" });
    const r = await scraper({ url, intervalMs: 1000, timeoutMs: 150 }).scrapeOnce();
    expect(r).toMatchObject({ ok: false, kind: "timeout" });
    expect(r.ok ? "" : r.message).toContain("within 150 ms");
  });

  it("reports a refused connection", async () => {
    const { sim, url } = await exporter({ gpus: 1 });
    await sim.close();
    const r = await scraper({ url }).scrapeOnce();
    expect(r).toMatchObject({ ok: false, kind: "connection" });
    expect(r.ok ? "" : r.message).toContain("ECONNREFUSED");
  });

  it("stops reading a body above the size limit, compressed or not", async () => {
    for (const gzip of [false, true]) {
      const { sim, url } = await exporter({ gpus: 1, gzip });
      sim.setFault({ kind: "oversize", bytes: 200_000 });
      const r = await scraper({ url, maxBodyBytes: 64 * 1024 }).scrapeOnce();
      expect(r, `gzip=${gzip}`).toMatchObject({ ok: false, kind: "body-too-large" });
    }
  });

  it("reports an abort by the caller", async () => {
    const { sim, url } = await exporter({ gpus: 1 });
    sim.setFault({ kind: "delay", ms: 2000 });
    const controller = new AbortController();
    const pending = scraper({ url }).scrapeOnce(controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, kind: "aborted" });
    const already = await scraper({ url }).scrapeOnce(AbortSignal.abort());
    expect(already).toMatchObject({ ok: false, kind: "aborted" });
  });
});

describe("HttpExporterScraper schedule", () => {
  it("scrapes on its interval until stopped, and delivers nothing after stop", async () => {
    const { sim, url } = await exporter({ gpus: 2 });
    const s = scraper({ url, intervalMs: 60, timeoutMs: 40 });
    const results: ScrapeResult[] = [];
    await new Promise<void>((resolve) => {
      s.start((r) => {
        results.push(r);
        if (results.length === 3) resolve();
      });
    });
    await s.stop();
    const seen = results.length;
    const scrapes = sim.scrapes;
    await new Promise((r) => setTimeout(r, 150));
    expect(results.length).toBe(seen);
    expect(sim.scrapes).toBe(scrapes);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(() => s.start(() => {})).not.toThrow(); // a stopped scraper may start again
    await s.stop();
  });

  it("keeps its schedule when the exporter fails and when the consumer throws", async () => {
    const { sim, url } = await exporter({ gpus: 1 });
    sim.setFault({ kind: "status", status: 500 });
    const errors: unknown[] = [];
    const s = scraper({ url, intervalMs: 50, timeoutMs: 30, onCallbackError: (e) => errors.push(e) });
    const kinds: string[] = [];
    await new Promise<void>((resolve) => {
      s.start((r) => {
        kinds.push(r.ok ? "ok" : r.kind);
        if (kinds.length === 2) sim.setFault(null);
        if (kinds.length === 4) resolve();
        throw new Error("consumer bug");
      });
    });
    await s.stop();
    expect(kinds.slice(0, 2)).toEqual(["http-status", "http-status"]);
    expect(kinds.slice(2, 4)).toEqual(["ok", "ok"]);
    expect(errors.length).toBeGreaterThanOrEqual(4);
  });

  it("refuses to start twice", async () => {
    const { url } = await exporter({ gpus: 1 });
    const s = scraper({ url, intervalMs: 10_000 });
    s.start(() => {});
    expect(() => s.start(() => {})).toThrow(/twice/);
  });
});

describe("HttpExporterScraper configuration", () => {
  it.each([
    [{ url: "not a url" }, /not a valid URL/],
    [{ url: "ftp://10.0.0.1:9400/metrics" }, /http or https/],
    [{ url: "http://10.0.0.1:9400/metrics", intervalMs: 1000, timeoutMs: 1000 }, /below the shortest gap/],
    [{ url: "http://10.0.0.1:9400/metrics", intervalMs: 1000, timeoutMs: 960 }, /below the shortest gap between scrapes \(950 ms\)/],
    [{ url: "http://10.0.0.1:9400/metrics", intervalMs: 0 }, /must be positive/],
    [{ url: "http://10.0.0.1:9400/metrics", jitterRatio: 1 }, /jitter ratio/],
  ])("refuses %j", (options, message) => {
    let thrown: unknown;
    try {
      new HttpExporterScraper(options);
    } catch (err) {
      thrown = err;
    }
    expect(isAppError(thrown) && thrown.code === "CONFIG_INVALID").toBe(true);
    expect((thrown as Error).message).toMatch(message);
  });

  it("defaults to a 15 s interval with a 10 s timeout", () => {
    const s = new HttpExporterScraper({ url: "http://10.0.0.1:9400/metrics" });
    expect([s.intervalMs, s.timeoutMs, s.jitterRatio]).toEqual([15_000, 10_000, 0.1]);
    void s.stop();
  });
});

describe("mergeTargetLabels", () => {
  it("adds target labels and keeps a clashing exporter label as exported_<name>", () => {
    expect(mergeTargetLabels({ gpu: "0", namespace: "k8s-ns", pod: "p" }, { namespace: "proj-a", session: "s" })).toEqual({ gpu: "0", exported_namespace: "k8s-ns", pod: "p", namespace: "proj-a", session: "s" });
    expect(mergeTargetLabels({ host: "h" }, { host: "h" })).toEqual({ host: "h" });
  });
});
