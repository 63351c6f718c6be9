import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { realFixture } from "@/test/fixtures";
import {
  MAX_REPORTED_LINE_CHARS,
  PromTextStreamParser,
  forEachPrometheusSample,
  parsePrometheusText,
  resolveFamily,
  type Sample,
} from "./prom-text-parser";
import { formatExposition, formatValue, type WritableFamily } from "./prom-text-writer";

const dump = (file: string) => readFileSync(realFixture("dcgm-exporter", "metrics-dumps", file), "utf8");
const DATADOG = "datadog-dcgm-fixture-metrics.txt";
const SNIPPETS = "issue-snippets.prom";

function streamParse(text: string, chunkSize: number) {
  const samples: Sample[] = [];
  const parser = new PromTextStreamParser((s) => samples.push(s));
  const bytes = Buffer.from(text, "utf8");
  for (let i = 0; i < bytes.length; i += chunkSize) parser.write(bytes.subarray(i, i + chunkSize));
  return { samples, ...parser.end() };
}

describe("parsePrometheusText on the real DCGM exporter dumps", () => {
  it("reads every line of the Datadog T4/A10G scrape without a malformed line", () => {
    const text = dump(DATADOG);
    const r = parsePrometheusText(text);
    expect(r.errors).toEqual([]);
    // The capture's last line has no trailing newline; it still counts.
    expect(text.endsWith("\n")).toBe(false);
    expect(r.lines).toBe(text.split("\n").length);
    // Every non-comment, non-blank line is a sample.
    expect(r.samples).toHaveLength(text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length);
    expect(r.samples[0]).toEqual({
      name: "DCGM_FI_DEV_SM_CLOCK",
      labels: {
        gpu: "0",
        UUID: "GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e",
        device: "nvidia0",
        modelName: "Tesla T4",
        Hostname: "424773df46e0",
        DCGM_FI_DRIVER_VERSION: "460.106.00",
        DCGM_FI_PROCESS_NAME: "/usr/bin/dcgm-exporter",
      },
      value: 300,
      timestampMs: null,
    });
    const byName = new Map(r.samples.map((s) => [s.name, s]));
    expect(byName.get("DCGM_FI_DEV_POWER_USAGE")!.value).toBe(8.969);
    expect(byName.get("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")!.value).toBe(128996013);
    expect(byName.get("DCGM_FI_DEV_FB_USED_PERCENT")!.value).toBe(0.000008);
    expect(byName.get("DCGM_FI_PROF_DRAM_ACTIVE")!.labels).toMatchObject({ container: "ray-worker", namespace: "ray-llm", pod: "ray-1111111" });
    // The "dummy" samples Datadog's authors added carry no labels at all.
    expect(byName.get("DCGM_FI_DEV_ROW_REMAP_FAILURE")).toEqual({ name: "DCGM_FI_DEV_ROW_REMAP_FAILURE", labels: {}, value: 0, timestampMs: null });
  });

  it("keeps HELP/TYPE metadata, including bare '# HELP NAME' lines and ignoring '# NOTE' comments", () => {
    const r = parsePrometheusText(dump(DATADOG));
    expect(r.families.get("DCGM_FI_DEV_SM_CLOCK")).toEqual({ name: "DCGM_FI_DEV_SM_CLOCK", type: "gauge", help: "SM clock frequency (in MHz)." });
    expect(r.families.get("DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION")!.type).toBe("counter");
    expect(r.families.get("DCGM_FI_DEV_SLOWDOWN_TEMP")).toEqual({ name: "DCGM_FI_DEV_SLOWDOWN_TEMP", type: "gauge", help: "" });
    expect([...r.families.keys()].some((n) => n.startsWith("NOTE"))).toBe(false);
  });

  it("reads the issue snippets: MIG labels, Hostname vs hostname, a repeated family whose later HELP wins", () => {
    const text = dump(SNIPPETS);
    const r = parsePrometheusText(text);
    expect(r.errors).toEqual([]);
    expect(r.samples).toHaveLength(text.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length);
    const mig = r.samples.find((s) => s.labels.GPU_I_ID === "7")!;
    expect(mig.labels).toMatchObject({ GPU_I_PROFILE: "1g.10gb", pci_bus_id: "00000000:1A:00.0", pod: "text-embedding-predictor-00008-deployment-57946f6c67-vdtjl" });
    expect(r.samples.some((s) => s.labels.hostname === "dcgm-exporter-wwwjh")).toBe(true);
    expect(r.samples.some((s) => s.labels.Hostname === "r6i3n0")).toBe(true);
    expect(r.families.get("DCGM_FI_PROF_GR_ENGINE_ACTIVE")).toEqual({ name: "DCGM_FI_PROF_GR_ENGINE_ACTIVE", type: "gauge", help: "gpu utilization." });
  });

  it("gives the same samples through the callback and the chunked stream forms, for any chunk size", () => {
    for (const file of [DATADOG, SNIPPETS]) {
      const text = dump(file);
      const whole = parsePrometheusText(text);
      const viaCallback: Sample[] = [];
      const summary = forEachPrometheusSample(text, (s) => viaCallback.push(s));
      expect(viaCallback).toEqual(whole.samples);
      expect(summary.sampleCount).toBe(whole.samples.length);
      for (const size of [1, 2, 3, 7, 64, 4096]) {
        const streamed = streamParse(text, size);
        expect(streamed.samples).toEqual(whole.samples);
        expect(streamed.lines).toBe(whole.lines);
        expect(streamed.families).toEqual(whole.families);
      }
    }
  });

  it("reports malformed lines in a chunked stream with their line numbers across chunks", () => {
    const text = `${dump(SNIPPETS)}bad line here\nDCGM_FI_DEV_GPU_UTIL{gpu="0" 5\n`;
    const expected = parsePrometheusText(text).errors;
    expect(expected.map((e) => e.line)).toEqual([43, 44]);
    expect(streamParse(text, 5).errors).toEqual(expected);
  });
});

describe("parsePrometheusText edge cases", () => {
  it("returns nothing for empty input, blank lines, whitespace-only lines and comments", () => {
    for (const text of ["", "\n", "\n\n  \n\t\n", "# just a comment\n#another\n# HELPFUL not metadata\n"]) {
      const r = parsePrometheusText(text);
      expect(r.samples).toEqual([]);
      expect(r.errors).toEqual([]);
      expect(r.families.size).toBe(0);
    }
  });

  it("handles CRLF line ends, a byte-order mark and a last line without a newline", () => {
    const r = parsePrometheusText('\ufeff# TYPE a gauge\r\na{x="1"} 1\r\nb 2');
    expect(r.errors).toEqual([]);
    expect(r.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
      ["a", { x: "1" }, 1],
      ["b", {}, 2],
    ]);
    expect(r.families.get("a")!.type).toBe("gauge");
  });

  it("unescapes \\\\, \\\" and \\n in label values and keeps unknown escapes verbatim", () => {
    const r = parsePrometheusText(String.raw`m{path="C:\\DIR\\FILE.TXT",error="Cannot find file:\n\"FILE.TXT\"",odd="a\tb",q="\"",bs="\\"} 1` + "\n");
    expect(r.errors).toEqual([]);
    expect(r.samples[0]!.labels).toEqual({ path: "C:\\DIR\\FILE.TXT", error: 'Cannot find file:\n"FILE.TXT"', odd: "a\\tb", q: '"', bs: "\\" });
  });

  it("reads NaN, +Inf, -Inf in any case, exponents, signs and long mantissas exactly like Number()", () => {
    const values = ["NaN", "nan", "+Inf", "-Inf", "Inf", "+inf", "-inf", "Infinity", "1e3", "-1.5E-7", "+42", "-0", ".5", "5.", "1.458255915e9", "12345678901234567890", "0.1234567890123456789", "3.14159265358979323846"];
    const r = parsePrometheusText(values.map((v, i) => `m{i="${i}"} ${v}`).join("\n"));
    expect(r.errors).toEqual([]);
    const got = r.samples.map((s) => s.value);
    expect(got.slice(0, 3)).toEqual([NaN, NaN, Infinity]);
    expect(got.slice(3, 8)).toEqual([-Infinity, Infinity, Infinity, -Infinity, Infinity]);
    expect(Object.is(got[11], -0)).toBe(true);
    for (let i = 8; i < values.length; i++) expect(got[i]).toBe(Number(values[i]));
  });

  it("refuses values that are not Go floats, including ones Number() would accept", () => {
    const r = parsePrometheusText(["m 0x10", "m 1_000", "m abc", "m 1.2.3", "m --1", "m +", "m Infinityx"].join("\n"));
    expect(r.samples).toEqual([]);
    expect(r.errors.map((e) => e.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.errors[0]!.message).toBe('invalid value "0x10" for m');
  });

  it("reads integer millisecond timestamps, negative ones too, and refuses fractional ones", () => {
    const r = parsePrometheusText('a 1 1395066363000\nb{x="y"} +Inf -3982045\nc 1 1.5\nd 1 17e11\n');
    expect(r.samples.map((s) => [s.name, s.timestampMs])).toEqual([
      ["a", 1395066363000],
      ["b", -3982045],
    ]);
    expect(r.errors.map((e) => [e.line, e.message])).toEqual([
      [3, 'invalid timestamp "1.5" for c (integer milliseconds expected)'],
      [4, 'invalid timestamp "17e11" for d (integer milliseconds expected)'],
    ]);
  });

  it("reports each malformed line with its number and text, and keeps every good line", () => {
    const text = [
      "good 1", // 1
      "bad-name 1", // 2
      "no_value", // 3
      'unclosed{a="b} 1', // 4
      'nobrace{a="b" 1', // 5
      'dup{a="1",a="2"} 1', // 6
      '9lives{a="b"} 1', // 7
      'm{1a="b"} 1', // 8
      "m{a=b} 1", // 9
      'm{a="b" c="d"} 1', // 10
      "trailing 1 2 extra", // 11
      "# TYPE x nonsense", // 12
      "# HELP", // 13
      "# TYPE y", // 14
      'm{,} 1', // 15
      "m{a} 1", // 16
      'good{a="b"} 2', // 17
    ].join("\n");
    const r = parsePrometheusText(text);
    expect(r.samples.map((s) => s.name)).toEqual(["good", "good"]);
    expect(r.errors.map((e) => e.line)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(r.errorCount).toBe(15);
    const byLine = new Map(r.errors.map((e) => [e.line, e]));
    expect(byLine.get(2)).toEqual({ line: 2, message: `unexpected character "-" after metric name bad`, text: "bad-name 1" });
    expect(byLine.get(3)!.message).toBe("sample no_value has no value");
    expect(byLine.get(4)!.message).toBe("unterminated label value (missing closing quote)");
    expect(byLine.get(5)!.message).toBe("label block is missing its closing '}'");
    expect(byLine.get(6)!.message).toBe("duplicate label name a");
    expect(byLine.get(7)!.message).toBe("metric name must start with a letter, '_' or ':'");
    expect(byLine.get(9)!.message).toBe("label a value must be a double-quoted string");
    expect(byLine.get(10)!.message).toBe("expected ',' or '}' after the value of label a");
    expect(byLine.get(12)!.message).toContain('unknown metric type "nonsense"');
    expect(byLine.get(15)!.message).toBe("empty label name (stray ',')");
    expect(byLine.get(16)!.message).toBe("expected '=' after label name a");
  });

  it("accepts a trailing comma, empty braces and whitespace between tokens", () => {
    const r = parsePrometheusText('a{x="1",} 1\nb{} 2\n  c  {  x = "1" ,  y="2"  }   3   4  \nd\t5\n');
    expect(r.errors).toEqual([]);
    expect(r.samples).toEqual([
      { name: "a", labels: { x: "1" }, value: 1, timestampMs: null },
      { name: "b", labels: {}, value: 2, timestampMs: null },
      { name: "c", labels: { x: "1", y: "2" }, value: 3, timestampMs: 4 },
      { name: "d", labels: {}, value: 5, timestampMs: null },
    ]);
  });

  it("keeps empty label values, UTF-8 values, braces and commas inside values", () => {
    const r = parsePrometheusText('m{a="",b="größe 🚀",c="x}y,z=\\"w\\""} 1\n');
    expect(r.errors).toEqual([]);
    expect(r.samples[0]!.labels).toEqual({ a: "", b: "größe 🚀", c: 'x}y,z="w"' });
  });

  it("handles huge label values and cuts the text of a huge malformed line", () => {
    const big = "x".repeat(1 << 20);
    const r = parsePrometheusText(`m{big="${big}"} 1\nbad{big="${big}" 1\n`);
    expect(r.samples).toHaveLength(1);
    expect(r.samples[0]!.labels.big).toHaveLength(1 << 20);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]!.text.length).toBe(MAX_REPORTED_LINE_CHARS + 1);
    expect(r.errors[0]!.text.endsWith("…")).toBe(true);
  });

  it("caps stored reports at maxErrors but counts them all", () => {
    const r = parsePrometheusText("bad!\n".repeat(50), { maxErrors: 10 });
    expect(r.errors).toHaveLength(10);
    expect(r.errorCount).toBe(50);
    expect(r.errors[9]!.line).toBe(10);
  });

  it("shares one frozen labels object between samples with the same label block", () => {
    const r = parsePrometheusText('a{g="0"} 1\na{g="1"} 2\nb{g="0"} 3\nb{g="1"} 4\n');
    const [a0, a1, b0, b1] = r.samples;
    expect(a0!.labels).toBe(b0!.labels);
    expect(a1!.labels).toBe(b1!.labels);
    expect(Object.isFrozen(a0!.labels)).toBe(true);
    expect(() => {
      (a0!.labels as Record<string, string>).g = "x";
    }).toThrow(TypeError);
  });

  it("does not confuse a remembered label block with a longer block that starts the same way", () => {
    const r = parsePrometheusText('m{a="1"} 1\nm{a="12"} 2\nm{a="1",b="2"} 3\nm{a="1"} 4\nm{a="1"}5\n');
    expect(r.samples.map((s) => s.labels)).toEqual([{ a: "1" }, { a: "12" }, { a: "1", b: "2" }, { a: "1" }]);
    expect(r.errors.map((e) => e.line)).toEqual([5]);
  });

  it("stores a label named __proto__ as data instead of changing the object's prototype", () => {
    const r = parsePrometheusText('m{__proto__="x",a="1"} 1\n');
    const labels = r.samples[0]!.labels;
    expect(Object.keys(labels)).toEqual(["__proto__", "a"]);
    expect(Object.getPrototypeOf(labels)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(labels, "__proto__")!.value).toBe("x");
  });

  it("unescapes HELP text, takes the last HELP, refuses a contradicting TYPE and accepts a repeated one", () => {
    const r = parsePrometheusText("# HELP m first\n# HELP m line\\nwith \\\\ slash\n# TYPE m counter\n# TYPE m counter\n# TYPE m gauge\nm 1\n");
    expect(r.families.get("m")).toEqual({ name: "m", type: "counter", help: "line\nwith \\ slash" });
    expect(r.errors).toEqual([{ line: 5, message: "TYPE for m was already declared as counter", text: "# TYPE m gauge" }]);
  });

  it("treats histogram and summary series as samples and maps them back to their family", () => {
    const text = [
      "# TYPE http_request_duration_seconds histogram",
      'http_request_duration_seconds_bucket{le="0.05"} 24054',
      'http_request_duration_seconds_bucket{le="+Inf"} 144320',
      "http_request_duration_seconds_sum 53423",
      "http_request_duration_seconds_count 144320",
      "# TYPE rpc_duration_seconds summary",
      'rpc_duration_seconds{quantile="0.5"} 4773',
      "rpc_duration_seconds_sum 1.7560473e+07",
      "rpc_duration_seconds_count 2693",
      "# TYPE g gauge",
      "g_count 1",
    ].join("\n");
    const r = parsePrometheusText(text);
    expect(r.errors).toEqual([]);
    expect(r.samples).toHaveLength(8);
    expect(r.samples[1]!.labels.le).toBe("+Inf");
    expect(r.samples[5]!.value).toBe(17560473);
    const family = (name: string) => resolveFamily(r.families, name)?.name;
    expect(family("http_request_duration_seconds_bucket")).toBe("http_request_duration_seconds");
    expect(family("rpc_duration_seconds_count")).toBe("rpc_duration_seconds");
    expect(family("rpc_duration_seconds")).toBe("rpc_duration_seconds");
    expect(family("g_count")).toBeUndefined(); // a gauge has no _count series
  });

  it("names the unsupported quoted-name syntax instead of a generic message", () => {
    const r = parsePrometheusText('{"my.metric",a="b"} 1\n');
    expect(r.errors[0]!.message).toContain("quoted metric names");
  });

  it("decodes UTF-8 split across stream chunks and a CRLF split between chunks", () => {
    const text = 'm{v="größe 🚀"} 1\r\nn 2\r\n';
    for (let size = 1; size <= 6; size++) {
      const r = streamParse(text, size);
      expect(r.errors).toEqual([]);
      expect(r.samples.map((s) => [s.name, s.labels, s.value])).toEqual([
        ["m", { v: "größe 🚀" }, 1],
        ["n", {}, 2],
      ]);
    }
  });
});

// Arbitraries for the round-trip property.
const nameArb = fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,20}$/);
const labelNameArb = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/).filter((n) => n !== "__proto__");
const valueArb = fc.oneof(
  fc.double(),
  fc.integer({ min: -1e6, max: 1e6 }),
  fc.constantFrom(NaN, Infinity, -Infinity, -0, 0),
  fc.integer({ min: 0, max: 1e9 }).map((n) => Number((n / 1e6).toFixed(6))),
);
const sampleArb = fc.record({
  labels: fc.dictionary(labelNameArb, fc.string({ unit: "binary", maxLength: 40 }), { maxKeys: 8 }),
  value: valueArb,
  timestampMs: fc.option(fc.integer({ min: -1e15, max: 1e15 }), { nil: null }),
});
const familyArb = fc.record({
  name: nameArb,
  type: fc.constantFrom("counter", "gauge", "untyped" as const),
  help: fc.option(fc.string({ unit: "binary", maxLength: 60 }).filter((h) => !h.endsWith("\r") && h.trim() === h), { nil: undefined }),
  samples: fc.array(sampleArb, { maxLength: 6 }),
});

describe("round trip (property)", () => {
  it("parse(format(samples)) gives back the same samples and family metadata", () => {
    fc.assert(
      fc.property(fc.uniqueArray(familyArb, { selector: (f) => f.name, maxLength: 6 }), (families) => {
        const writable: WritableFamily[] = families.map((f) => ({ ...f, samples: f.samples.map((s) => ({ ...s, name: f.name })) }));
        const text = formatExposition(writable);
        const r = parsePrometheusText(text);
        expect(r.errors).toEqual([]);
        expect(r.samples).toEqual(writable.flatMap((f) => f.samples.map((s) => ({ name: s.name, labels: s.labels, value: s.value, timestampMs: s.timestampMs }))));
        for (const [i, s] of r.samples.entries()) {
          const original = writable.flatMap((f) => f.samples)[i]!;
          expect(Object.is(s.value, original.value) || (Number.isNaN(s.value) && Number.isNaN(original.value))).toBe(true);
        }
        for (const f of families) expect(r.families.get(f.name)).toEqual({ name: f.name, type: f.type, help: f.help ?? null });
      }),
      { numRuns: 300 },
    );
  });

  it("reads every double back exactly as written (fast and slow value paths)", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.double(), fc.double().map((d) => Number(d.toFixed(6)))), { minLength: 1, maxLength: 50 }), (values) => {
        const text = values.map((v) => `m ${formatValue(v)}`).join("\n");
        const r = parsePrometheusText(text);
        expect(r.samples.map((s) => s.value)).toEqual(values);
      }),
      { numRuns: 200 },
    );
  });
});
