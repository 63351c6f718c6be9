/**
 * Scrapes a Prometheus-format exporter (the DCGM exporter on :9400 inside a session's VM) over
 * HTTP. The body is parsed while it streams in, capped in size, and bounded in time by a timeout
 * below the interval, so one slow VM can never make scrapes pile up. Every failure is a value.
 */
import http from "node:http";
import https from "node:https";
import { createGunzip } from "node:zlib";
import { AppError } from "../../../errors.ts";
import { PromTextStreamParser, type Sample } from "../../../domain/metrics/prom-text-parser.ts";
import type { GpuTelemetry, ScrapeFailureKind, ScrapeResult } from "./gpu-telemetry.ts";

export interface HttpExporterScraperOptions {
  /** e.g. http://10.0.3.7:9400/metrics */
  url: string;
  /** Default 15 s, as the issue's default scrape interval. */
  intervalMs?: number;
  /** Default min(10 s, 80 % of the interval); must stay below the shortest jittered gap. */
  timeoutMs?: number;
  /**
   * Each gap between scrapes is drawn from interval × [1 − j/2, 1 + j/2]; the first scrape waits
   * a random [0, j × interval) so many agents started together do not scrape in lockstep.
   * Default 0.1.
   */
  jitterRatio?: number;
  /** Limit on the body, received and decompressed; default 32 MiB (8 GPUs answer with tens of KiB). */
  maxBodyBytes?: number;
  /**
   * Labels added to every sample (session, kernel, project, host). As Prometheus does with
   * honor_labels=false, they win a clash; the exporter's own value moves to `exported_<name>`.
   */
  targetLabels?: Readonly<Record<string, string>>;
  /** Called when `onResult` throws. Default: console.error. */
  onCallbackError?: (err: unknown) => void;
  random?: () => number;
  now?: () => number;
}

const DEFAULT_INTERVAL_MS = 15_000;
const DEFAULT_MAX_BODY = 32 << 20;

export class HttpExporterScraper implements GpuTelemetry {
  readonly url: URL;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly jitterRatio: number;
  private readonly maxBodyBytes: number;
  private readonly targetLabels: Readonly<Record<string, string>> | null;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly onCallbackError: (err: unknown) => void;
  private readonly agent: http.Agent;
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private inFlight: Promise<ScrapeResult> | null = null;
  private abort: AbortController | null = null;

  /** Throws AppError CONFIG_INVALID for a bad URL, interval, jitter or timeout. */
  constructor(options: HttpExporterScraperOptions) {
    let url: URL;
    try {
      url = new URL(options.url);
    } catch {
      throw new AppError("CONFIG_INVALID", `exporter URL ${JSON.stringify(options.url)} is not a valid URL`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new AppError("CONFIG_INVALID", `exporter URL must be http or https, not ${url.protocol}`);
    this.url = url;
    this.intervalMs = options.intervalMs ?? DEFAULT_INTERVAL_MS;
    this.jitterRatio = options.jitterRatio ?? 0.1;
    if (!(this.intervalMs > 0)) throw new AppError("CONFIG_INVALID", `scrape interval must be positive, got ${this.intervalMs} ms`);
    if (!(this.jitterRatio >= 0 && this.jitterRatio < 1)) throw new AppError("CONFIG_INVALID", `jitter ratio must be in [0, 1), got ${this.jitterRatio}`);
    const shortestGap = this.intervalMs - (this.intervalMs * this.jitterRatio) / 2;
    this.timeoutMs = options.timeoutMs ?? Math.min(10_000, Math.floor(this.intervalMs * 0.8));
    if (!(this.timeoutMs > 0 && this.timeoutMs < shortestGap)) {
      throw new AppError("CONFIG_INVALID", `scrape timeout ${this.timeoutMs} ms must be positive and below the shortest gap between scrapes (${Math.floor(shortestGap)} ms)`);
    }
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY;
    this.targetLabels = options.targetLabels && Object.keys(options.targetLabels).length ? { ...options.targetLabels } : null;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.onCallbackError = options.onCallbackError ?? ((err) => console.error("telemetry: onResult threw", err));
    // One connection per exporter, kept alive between scrapes.
    this.agent = new (url.protocol === "https:" ? https.Agent : http.Agent)({ keepAlive: true, maxSockets: 1 });
  }

  scrapeOnce(signal?: AbortSignal): Promise<ScrapeResult> {
    return new Promise<ScrapeResult>((resolve) => {
      const target = this.url.href;
      const startedAtMs = this.now();
      const t0 = performance.now();
      let settled = false;
      let req: http.ClientRequest | null = null;
      const finish = (result: ScrapeResult) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        resolve(result);
      };
      const fail = (kind: ScrapeFailureKind, message: string, status?: number) => {
        finish({ ok: false, target, startedAtMs, durationMs: performance.now() - t0, kind, message, ...(status === undefined ? {} : { status }) });
        req?.destroy();
      };
      const onAbort = () => fail("aborted", "scrape aborted");
      const timer = setTimeout(() => fail("timeout", `no complete answer from ${target} within ${this.timeoutMs} ms`), this.timeoutMs);
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener("abort", onAbort, { once: true });

      const samples: Sample[] = [];
      const relabel = this.relabeler();
      const parser = new PromTextStreamParser((s) => samples.push(relabel(s)));
      const mod = this.url.protocol === "https:" ? https : http;
      req = mod.request(this.url, {
        method: "GET",
        agent: this.agent,
        headers: { accept: "text/plain;version=0.0.4;q=1,*/*;q=0.1", "accept-encoding": "gzip, identity", "user-agent": "hypercell-agent" },
      });
      req.on("error", (err: NodeJS.ErrnoException) => fail(err.name === "AbortError" ? "aborted" : "connection", `${target}: ${err.code ?? err.message}`));
      req.on("response", (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) {
          res.resume();
          fail("http-status", `${target} answered HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}`, status);
          return;
        }
        let bytes = 0;
        res.on("data", (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > this.maxBodyBytes) fail("body-too-large", `${target} sent more than ${this.maxBodyBytes} bytes`);
        });
        const gzip = /\bgzip\b/i.test(String(res.headers["content-encoding"] ?? ""));
        const body = gzip ? res.pipe(createGunzip()) : res;
        let decoded = 0;
        body.on("data", (chunk: Buffer) => {
          // The limit applies after decompression too, so a small gzip bomb cannot get through.
          decoded += chunk.length;
          if (decoded > this.maxBodyBytes) fail("body-too-large", `${target} sent more than ${this.maxBodyBytes} bytes (decompressed)`);
          if (!settled) parser.write(chunk);
        });
        body.on("error", (err: Error) => fail(gzip ? "bad-response" : "connection", `${target}: ${err.message}`));
        res.on("aborted", () => fail("connection", `${target} closed the connection mid-body`));
        body.on("end", () => {
          if (settled) return;
          const summary = parser.end();
          finish({
            ok: true,
            target,
            startedAtMs,
            durationMs: performance.now() - t0,
            bytes,
            samples,
            families: summary.families,
            malformed: summary.errors,
            malformedCount: summary.errorCount,
          });
        });
      });
      req.end();
    });
  }

  start(onResult: (result: ScrapeResult) => void): void {
    if (this.running) throw new Error("HttpExporterScraper.start called twice");
    this.running = true;
    const tick = async () => {
      this.timer = null;
      const began = performance.now();
      this.abort = new AbortController();
      this.inFlight = this.scrapeOnce(this.abort.signal);
      const result = await this.inFlight;
      this.inFlight = null;
      this.abort = null;
      if (!this.running) return;
      try {
        onResult(result);
      } catch (err) {
        this.onCallbackError(err);
      }
      if (!this.running) return;
      const gap = this.intervalMs * (1 + this.jitterRatio * (this.random() - 0.5));
      this.timer = setTimeout(tick, Math.max(0, gap - (performance.now() - began)));
    };
    this.timer = setTimeout(tick, this.random() * this.jitterRatio * this.intervalMs);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort?.abort();
    if (this.inFlight !== null) await this.inFlight;
    this.agent.destroy();
  }

  /** Attaches target labels; parsed samples share label objects, so each is merged once. */
  private relabeler(): (s: Sample) => Sample {
    const extra = this.targetLabels;
    if (extra === null) return (s) => s;
    const merged = new Map<Readonly<Record<string, string>>, Readonly<Record<string, string>>>();
    return (s) => {
      let labels = merged.get(s.labels);
      if (labels === undefined) {
        labels = Object.freeze(mergeTargetLabels(s.labels, extra));
        merged.set(s.labels, labels);
      }
      return { name: s.name, labels, value: s.value, timestampMs: s.timestampMs };
    };
  }
}

/** Exporter labels plus target labels; on a clash the target wins and the exporter's value moves to exported_<name>. */
export function mergeTargetLabels(exported: Readonly<Record<string, string>>, target: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  // defineProperty keeps a label called "__proto__" as data.
  const put = (k: string, v: string) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(exported)) {
    if (Object.prototype.hasOwnProperty.call(target, k) && target[k] !== v) put(`exported_${k}`, v);
    else put(k, v);
  }
  for (const [k, v] of Object.entries(target)) put(k, v);
  return out;
}
