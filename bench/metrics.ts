// `npm run bench -- metrics [--quick]`: samples parsed per second on one core, for Hypercell's
// Prometheus text parser next to (a) a bare `split("\n")` of the same string and (b) the npm package
// parse-prometheus-text-format, all in the same run on the same inputs. Inputs are a 1 MB and a
// 20 MB exposition built from the real DCGM exporter dumps: every real label block is replicated
// over 8 GPUs per host and many hosts, with varied UUIDs, bus ids, host names and values.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { forEachPrometheusSample, parsePrometheusText } from "../server/domain/metrics/prom-text-parser.ts";
import { realFixture } from "../test/fixtures.ts";

type Contender = { name: string; run: (text: string) => number; input?: "sanitized" };

const DUMPS = ["datadog-dcgm-fixture-metrics.txt", "issue-snippets.prom"];

interface Template {
  families: { name: string; help: string | null; type: string | null; float: boolean }[];
  blocks: [string, string][][]; // label pairs [name, value] per distinct real label block
}

// Read with plain regular expressions, not with the parser under test, so a parser bug cannot
// shape its own benchmark input.
export function loadTemplate(): Template {
  const families = new Map<string, { name: string; help: string | null; type: string | null; float: boolean }>();
  const blocks = new Map<string, [string, string][]>();
  for (const file of DUMPS) {
    const text = readFileSync(realFixture("dcgm-exporter", "metrics-dumps", file), "utf8");
    for (const line of text.split("\n")) {
      const meta = /^# (HELP|TYPE) (\S+)(?: (.*))?$/.exec(line);
      if (meta) {
        const [, kind, name, rest] = meta as unknown as [string, string, string, string | undefined];
        const f = families.get(name) ?? { name, help: null, type: null, float: false };
        if (kind === "HELP") f.help = rest ?? "";
        else f.type = rest ?? "untyped";
        families.set(name, f);
        continue;
      }
      const sample = /^(\w+)\{(.*)\} (\S+)$/.exec(line);
      if (!sample) continue;
      const [, name, block, value] = sample as unknown as [string, string, string, string];
      const f = families.get(name) ?? { name, help: null, type: null, float: false };
      if (value.includes(".")) f.float = true;
      families.set(name, f);
      const pairs = [...block.matchAll(/(\w+)="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!]);
      blocks.set(pairs.map((p) => p[0]).join(","), pairs);
    }
  }
  return { families: [...families.values()], blocks: [...blocks.values()] };
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (r: () => number, n: number) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join("");

/** An exposition of at least `bytes` bytes: one "scrape" of 8 GPUs per host, hosts appended. */
export function buildExposition(template: Template, bytes: number, seed = 1): string {
  const r = rng(seed);
  const parts: string[] = [];
  let size = 0;
  for (let host = 0; size < bytes; host++) {
    const base = template.blocks[host % template.blocks.length]!;
    const gpus = Array.from({ length: 8 }, (_, g) => {
      const uuid = `GPU-${hex(r, 8)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 4)}-${hex(r, 12)}`;
      const bus = (0x18 + g * 0x11).toString(16).toUpperCase().padStart(2, "0");
      const pairs = base.map(([k, v]) => {
        switch (k) {
          case "gpu":
            return [k, String(g)];
          case "UUID":
            return [k, uuid];
          case "device":
            return [k, `nvidia${g}`];
          case "pci_bus_id":
            return [k, `00000000:${bus}:00.0`];
          case "Hostname":
          case "hostname":
            return [k, `${v}-h${host}`];
          case "pod":
            return [k, `${v}-${hex(r, 5)}`];
          default:
            return [k, v];
        }
      });
      return `{${pairs.map(([k, v]) => `${k}="${v}"`).join(",")}}`;
    });
    const lines: string[] = [];
    for (const f of template.families) {
      if (f.help !== null) lines.push(f.help === "" ? `# HELP ${f.name}` : `# HELP ${f.name} ${f.help}`);
      if (f.type !== null) lines.push(`# TYPE ${f.name} ${f.type}`);
      for (const labels of gpus) {
        const v = f.float ? (r() * 700).toFixed(6) : String(Math.floor(r() * 100000));
        lines.push(`${f.name}${labels} ${v}`);
      }
    }
    const chunk = `${lines.join("\n")}\n`;
    parts.push(chunk);
    size += Buffer.byteLength(chunk);
  }
  return parts.join("");
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function loadNpmParser(): (text: string) => { metrics: unknown[] }[] {
  // The package ships CommonJS without type declarations.
  const mod = createRequire(import.meta.url)("parse-prometheus-text-format") as
    | ((text: string) => { metrics: unknown[] }[])
    | { default: (text: string) => { metrics: unknown[] }[] };
  return typeof mod === "function" ? mod : mod.default;
}

export async function main(args: string[]): Promise<void> {
  const quick = args.includes("--quick");
  const template = loadTemplate();
  const npmParse = loadNpmParser();
  let sink = 0;
  const contenders: Contender[] = [
    { name: "hypercell parsePrometheusText", run: (t) => parsePrometheusText(t).samples.length },
    {
      name: "hypercell forEachPrometheusSample",
      run: (t) =>
        forEachPrometheusSample(t, (s) => {
          sink += s.value;
        }).sampleCount,
    },
    { name: 'baseline split("\\n")', run: (t) => t.split("\n").length },
    // It throws on the real dumps' bare "# HELP NAME" lines, so it reads a copy without them.
    { name: "parse-prometheus-text-format *", run: (t) => npmParse(t).reduce((n, f) => n + f.metrics.length, 0), input: "sanitized" },
  ];

  const sizes = [
    { label: "1 MB", bytes: 1 << 20, warmup: quick ? 2 : 5, repeat: quick ? 5 : 21, unique: false },
    { label: "20 MB", bytes: 20 << 20, warmup: quick ? 1 : 2, repeat: quick ? 3 : 7, unique: false },
    // Worst case for the parser's label-block reuse: no two samples share a label block.
    { label: "1 MB, every label block distinct", bytes: 1 << 20, warmup: quick ? 2 : 5, repeat: quick ? 5 : 21, unique: true },
  ];
  console.log(`node ${process.version}, one thread; median of repeated runs after warm-up; input built from ${DUMPS.join(" + ")}`);
  for (const size of sizes) {
    let n = 0;
    const built = buildExposition(template, size.bytes);
    const text = size.unique ? built.replace(/gpu="\d+"/g, () => `gpu="${n++}"`) : built;
    const sanitized = text.replace(/^# HELP \S+\n/gm, "");
    let npmError = "";
    try {
      npmParse(text);
    } catch (err) {
      npmError = err instanceof Error ? err.message : String(err);
    }
    const samples = parsePrometheusText(text).samples.length;
    const mb = Buffer.byteLength(text) / (1 << 20);
    const wall: number[][] = contenders.map(() => []);
    const cpu: number[][] = contenders.map(() => []);
    const counts = contenders.map(() => 0);
    for (let round = 0; round < size.warmup + size.repeat; round++) {
      // Interleaved so that machine noise (two shared cores) hits every contender alike.
      contenders.forEach((c, i) => {
        const c0 = process.cpuUsage();
        const t0 = process.hrtime.bigint();
        counts[i] = c.run(c.input === "sanitized" ? sanitized : text);
        const t1 = process.hrtime.bigint();
        const dc = process.cpuUsage(c0);
        if (round >= size.warmup) {
          wall[i]!.push(Number(t1 - t0) / 1e6);
          cpu[i]!.push((dc.user + dc.system) / 1e3);
        }
      });
    }
    console.log(`\n${size.label} exposition: ${mb.toFixed(1)} MiB, ${samples} samples, ${text.split("\n").length} lines`);
    const rows = contenders.map((c, i) => {
      const ms = median(wall[i]!);
      const cpuMs = median(cpu[i]!);
      const perSecond = (t: number) => Math.round(samples / (t / 1000)).toLocaleString("en-US");
      return [c.name, ms.toFixed(2), cpuMs.toFixed(2), perSecond(ms), perSecond(cpuMs), (mb / (ms / 1000)).toFixed(0), String(counts[i])];
    });
    const head = ["contender", "median ms", "cpu ms", "samples/s", "samples/cpu-s", "MiB/s", "items out"];
    const widths = head.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k]!.length)));
    const fmt = (r: string[]) => r.map((x, k) => (k === 0 ? x.padEnd(widths[k]!) : x.padStart(widths[k]!))).join("  ");
    console.log(fmt(head));
    for (const r of rows) console.log(fmt(r));
    console.log(`* on the same bytes it throws (${npmError || "no error"}); measured on a copy without the ${(text.length - sanitized.length).toLocaleString("en-US")} characters of bare HELP lines`);
  }
  if (sink === -1) console.log(sink); // keeps the callback's work observable
  console.log(
    '\nsamples/s = samples in the input / median wall time of one parse on one thread; samples/cpu-s uses the process CPU time of that parse instead (GC helper threads included), which is steadier on a busy machine. "items out" is what each contender returned: samples, or lines for the split baseline.',
  );
}
