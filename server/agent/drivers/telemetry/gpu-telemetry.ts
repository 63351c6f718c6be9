/**
 * GPU telemetry of one VM: the agent reads the DCGM exporter that runs inside each session's VM
 * (a passthrough GPU is invisible to the host driver, so nothing on the host can report it).
 * The real implementation scrapes the exporter over HTTP (HttpExporterScraper); simulated hosts
 * point the same scraper at SimulatedDcgmExporter, a real HTTP server.
 */
import type { MalformedLine, MetricFamily, Sample } from "../../../domain/metrics/prom-text-parser.ts";

export interface ScrapeSuccess {
  ok: true;
  /** The URL that was scraped. */
  target: string;
  startedAtMs: number;
  durationMs: number;
  /** Response body size in bytes, as received (before decompression, if any). */
  bytes: number;
  /** Parsed samples, with the scraper's target labels attached. */
  samples: Sample[];
  families: Map<string, MetricFamily>;
  /** Lines of the exposition that could not be read; they were skipped, the rest was kept. */
  malformed: MalformedLine[];
  malformedCount: number;
}

export type ScrapeFailureKind =
  /** No complete answer within the timeout. */
  | "timeout"
  /** Connection refused/reset, host unreachable, DNS failure. */
  | "connection"
  /** The exporter answered with a non-2xx status. */
  | "http-status"
  /** The body exceeded the configured size limit. */
  | "body-too-large"
  /** The body could not be decoded (e.g. broken gzip). */
  | "bad-response"
  /** The caller's AbortSignal fired, or the scraper was stopped. */
  | "aborted";

export interface ScrapeFailure {
  ok: false;
  target: string;
  startedAtMs: number;
  durationMs: number;
  kind: ScrapeFailureKind;
  message: string;
  /** HTTP status for kind "http-status". */
  status?: number;
}

export type ScrapeResult = ScrapeSuccess | ScrapeFailure;

export interface GpuTelemetry {
  /**
   * Reads the exporter once. Never rejects: a timeout, a refused connection, a non-2xx status,
   * an oversized or undecodable body, or an abort comes back as `{ ok: false, kind, message }`.
   * Malformed exposition lines do not fail the scrape; they are listed in `malformed`.
   */
  scrapeOnce(signal?: AbortSignal): Promise<ScrapeResult>;

  /**
   * Scrapes on a jittered interval and hands every result, success or failure, to `onResult`.
   * Throws only if already started (a programming error). An exception thrown by `onResult` is
   * caught and reported to the scraper's `onCallbackError`; the schedule goes on.
   */
  start(onResult: (result: ScrapeResult) => void): void;

  /**
   * Stops the schedule and aborts a scrape in flight (its result is dropped). Resolves once
   * nothing is in flight; never rejects; calling it again, or before start, does nothing.
   */
  stop(): Promise<void>;
}
