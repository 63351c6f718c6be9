/**
 * Writes the Prometheus text exposition format (0.0.4): the simulated DCGM exporter serves it,
 * Hypercell's own /metrics endpoint can reuse it, and the parser's round-trip property test
 * checks that parse(write(x)) === x.
 */
import type { MetricType } from "./prom-text-parser.ts";

export interface WritableSample {
  name: string;
  labels: Readonly<Record<string, string>>;
  value: number;
  timestampMs?: number | null;
}

export interface WritableFamily {
  name: string;
  type?: MetricType;
  /** Omitted: no HELP line. Empty string: a bare `# HELP name` line, as some exporters write. */
  help?: string;
  samples: readonly WritableSample[];
}

/** Label values escape backslash, double quote and line feed; nothing else needs escaping. */
export function escapeLabelValue(value: string): string {
  if (!/[\\"\n]/.test(value)) return value;
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/** HELP text escapes backslash and line feed only (a quote is literal there). */
export function escapeHelp(help: string): string {
  if (!/[\\\n]/.test(help)) return help;
  return help.replace(/[\\\n]/g, (c) => (c === "\n" ? "\\n" : "\\\\"));
}

/**
 * Go-compatible value text: NaN, +Inf, -Inf, and -0 keeps its sign. Other numbers use the
 * shortest round-trip form, which Go's ParseFloat (and ours) reads back exactly.
 */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  if (value === 0 && Object.is(value, -0)) return "-0";
  return String(value);
}

export function formatLabels(labels: Readonly<Record<string, string>>): string {
  let out = "";
  for (const key of Object.keys(labels)) {
    out += `${out === "" ? "" : ","}${key}="${escapeLabelValue(labels[key]!)}"`;
  }
  return out === "" ? "" : `{${out}}`;
}

export function formatSampleLine(sample: WritableSample): string {
  const ts = sample.timestampMs === undefined || sample.timestampMs === null ? "" : ` ${Math.trunc(sample.timestampMs)}`;
  return `${sample.name}${formatLabels(sample.labels)} ${formatValue(sample.value)}${ts}`;
}

/** One exposition: per family its HELP and TYPE lines, then its samples; ends with '\n'. */
export function formatExposition(families: Iterable<WritableFamily>): string {
  const lines: string[] = [];
  for (const family of families) {
    if (family.help !== undefined) lines.push(family.help === "" ? `# HELP ${family.name}` : `# HELP ${family.name} ${escapeHelp(family.help)}`);
    if (family.type !== undefined) lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) lines.push(formatSampleLine(sample));
  }
  return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
}
