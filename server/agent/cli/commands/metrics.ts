// hypercell-agent metrics …: offline tools over what the agent scrapes and reads.
//   metrics parse FILE|- [--json] [--strict]   Prometheus text exposition → samples
//   metrics xid FILE|- [--json]                NVIDIA Xid lines in a kernel log → decoded events
//   metrics health FILE|- [--previous FILE] [--json]   DCGM exposition → health alerts
// JSON cannot hold NaN or ±Infinity, so sample values print as the strings "NaN", "+Inf", "-Inf"
// (the exposition format's own spelling); every other value is a JSON number.
import { readFile } from "node:fs/promises";
import { evaluateGpuHealth, snapshotGpus } from "../../../domain/metrics/health-rules.ts";
import { parsePrometheusText, type ParseResult, type Sample } from "../../../domain/metrics/prom-text-parser.ts";
import { describeXid, parseXidLog } from "../../../domain/metrics/xid.ts";

export const summary = "parse Prometheus/DCGM metrics dumps, decode Xid kernel lines, evaluate GPU health";

const USAGE = `usage:
  hypercell-agent metrics parse FILE [--json] [--strict]
      Parse a Prometheus text exposition (0.0.4). --json prints [{"name","labels","value","timestampMs"}]
      (NaN/+Inf/-Inf as strings). Malformed lines go to stderr as FILE:LINE: message; exit 0 unless
      --strict and a line was malformed (then 1).
  hypercell-agent metrics xid FILE [--json]
      Decode every "NVRM: Xid" line of a kernel log, with the Xid's meaning and recommended action.
  hypercell-agent metrics health FILE [--previous FILE] [--json]
      Evaluate the GPU health rules on a DCGM exporter dump (counter rises against --previous).
FILE may be "-" for standard input. Exit 2 on bad usage or an unreadable file.`;

/** The JSON-safe value: numbers stay numbers, NaN and infinities become their exposition spelling. */
export function jsonValue(value: number): number | string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return value;
}

/** One sample per line inside a JSON array, so large dumps stay greppable and stream out. */
export function samplesToJson(samples: readonly Sample[]): string {
  if (samples.length === 0) return "[]\n";
  const lines = samples.map((s) => JSON.stringify({ name: s.name, labels: s.labels, value: jsonValue(s.value), timestampMs: s.timestampMs }));
  return `[\n${lines.join(",\n")}\n]\n`;
}

async function readInput(file: string): Promise<string> {
  if (file !== "-") return readFile(file, "utf8");
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function table(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = rows[0]!.map((_, k) => Math.max(...rows.map((r) => (r[k] ?? "").length)));
  return rows.map((r) => r.map((c, k) => (k === r.length - 1 ? c : rightAligned.has(k) ? c.padStart(widths[k]!) : c.padEnd(widths[k]!))).join("  ").trimEnd()).join("\n");
}

function num(v: number): string {
  const j = jsonValue(v);
  return typeof j === "string" ? j : Number.isInteger(j) ? String(j) : j.toPrecision(6).replace(/\.?0+$/, "");
}

function reportMalformed(file: string, r: ParseResult): void {
  for (const e of r.errors) process.stderr.write(`${file}:${e.line}: ${e.message}: ${e.text}\n`);
  if (r.errorCount > r.errors.length) process.stderr.write(`${file}: ${r.errorCount - r.errors.length} more malformed lines not shown\n`);
}

function printSummary(file: string, r: ParseResult): void {
  const out: string[] = [`${file}: ${r.samples.length} samples in ${r.families.size} declared families, ${r.lines} lines, ${r.errorCount} malformed`];
  const gpus = snapshotGpus(r.samples);
  if (gpus.size) {
    out.push("", "GPUs (from the exporter's labels):");
    const rows = [["gpu", "uuid", "pci bus id", "model", "host"]];
    for (const g of gpus.values()) rows.push([g.identity.gpu ?? "-", g.identity.uuid ?? "-", g.identity.pciBusId ?? "-", g.identity.modelName ?? "-", g.identity.hostname ?? "-"]);
    out.push(table(rows));
  }
  const byName = new Map<string, Sample[]>();
  for (const s of r.samples) {
    const list = byName.get(s.name);
    if (list) list.push(s);
    else byName.set(s.name, [s]);
  }
  if (byName.size) {
    out.push("", "series:");
    const rows = [["name", "type", "samples", "min", "max", "help"]];
    for (const [name, list] of byName) {
      const values = list.map((s) => s.value).filter((v) => !Number.isNaN(v));
      const family = r.families.get(name);
      rows.push([name, family?.type ?? "untyped", String(list.length), values.length ? num(Math.min(...values)) : "NaN", values.length ? num(Math.max(...values)) : "NaN", family?.help ?? ""]);
    }
    out.push(table(rows, new Set([2, 3, 4])));
  }
  process.stdout.write(`${out.join("\n")}\n`);
}

export async function run(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const flags = new Set(rest.filter((a) => a.startsWith("--")));
  const positional: string[] = [];
  let previous: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === "--previous") previous = rest[++i];
    else if (!a.startsWith("--") || a === "-") positional.push(a);
  }
  const known: Record<string, readonly string[]> = { parse: ["--json", "--strict"], xid: ["--json"], health: ["--json", "--previous"] };
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    process.stdout.write(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  const allowed = known[sub];
  if (allowed === undefined) {
    process.stderr.write(`metrics: unknown subcommand ${JSON.stringify(sub)}\n${USAGE}\n`);
    return 2;
  }
  const unknownFlag = [...flags].find((f) => !allowed.includes(f));
  if (unknownFlag !== undefined || positional.length !== 1 || (flags.has("--previous") && previous === undefined)) {
    process.stderr.write(`metrics ${sub}: ${unknownFlag !== undefined ? `unknown option ${unknownFlag}` : positional.length === 0 ? "FILE is missing" : positional.length > 1 ? `one FILE expected, got ${positional.join(" ")}` : "--previous needs a FILE"}\n${USAGE}\n`);
    return 2;
  }
  const file = positional[0]!;
  let text: string;
  let previousText: string | undefined;
  try {
    text = await readInput(file);
    if (previous !== undefined) previousText = await readFile(previous, "utf8");
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    process.stderr.write(`metrics ${sub}: cannot read ${e.path ?? file}: ${e.code ?? e.message}\n`);
    return 2;
  }
  const json = flags.has("--json");

  if (sub === "parse") {
    const r = parsePrometheusText(text);
    reportMalformed(file, r);
    if (json) process.stdout.write(samplesToJson(r.samples));
    else printSummary(file, r);
    return flags.has("--strict") && r.errorCount > 0 ? 1 : 0;
  }

  if (sub === "xid") {
    const events = parseXidLog(text);
    if (json) {
      process.stdout.write(`${JSON.stringify(events.map((e) => ({ ...e, meaning: describeXid(e.xid) })), null, 2)}\n`);
      return 0;
    }
    if (events.length === 0) {
      process.stdout.write(`${file}: no Xid lines\n`);
      return 0;
    }
    const rows = [["line", "time", "gpu (pci)", "xid", "severity", "action", "meaning", "process", "message"]];
    for (const e of events) {
      const info = describeXid(e.xid);
      rows.push([String(e.line), e.timestamp ?? (e.uptimeSeconds !== undefined ? `+${e.uptimeSeconds}s` : "-"), e.pciAddress, String(e.xid), info.severity, info.action, info.name, e.processName ?? (e.pid !== undefined ? `pid ${e.pid}` : "-"), e.message]);
    }
    process.stdout.write(`${table(rows, new Set([0, 3]))}\n`);
    return 0;
  }

  // health
  const current = parsePrometheusText(text);
  reportMalformed(file, current);
  const before = previousText === undefined ? undefined : parsePrometheusText(previousText);
  if (before && previous !== undefined) reportMalformed(previous, before);
  const alerts = evaluateGpuHealth(current.samples, before ? { previous: before.samples } : {});
  if (json) process.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
  else if (alerts.length === 0) process.stdout.write(`${file}: ${snapshotGpus(current.samples).size} GPU(s), no alerts\n`);
  else for (const a of alerts) process.stdout.write(`${a.severity.toUpperCase().padEnd(8)} ${a.kind.padEnd(20)} ${a.message}${a.quarantine ? " [quarantine]" : ""}\n`);
  return 0;
}
