import { afterEach, describe, expect, it, vi } from "vitest";
import { realFixture } from "@/test/fixtures";
import { parsePrometheusText } from "@/server/domain/metrics/prom-text-parser";
import { jsonValue, run, samplesToJson } from "./metrics";

const dump = (file: string) => realFixture("dcgm-exporter", "metrics-dumps", file);

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out: () => out.join(""), err: () => err.join("") };
}

afterEach(() => vi.restoreAllMocks());

describe("metrics parse", () => {
  it("prints the real dump's samples as JSON that parses back to the same samples", async () => {
    const io = capture();
    expect(await run(["parse", dump("issue-snippets.prom"), "--json"])).toBe(0);
    const printed = JSON.parse(io.out()) as unknown[];
    const { readFileSync } = await import("node:fs");
    const expected = parsePrometheusText(readFileSync(dump("issue-snippets.prom"), "utf8")).samples;
    expect(printed).toEqual(expected.map((s) => ({ name: s.name, labels: { ...s.labels }, value: s.value, timestampMs: s.timestampMs })));
    expect(io.err()).toBe("");
  });

  it("spells NaN and infinities as strings, since JSON has no such numbers", () => {
    expect([NaN, Infinity, -Infinity, 1.5, 0].map(jsonValue)).toEqual(["NaN", "+Inf", "-Inf", 1.5, 0]);
    const r = parsePrometheusText('a NaN\nb{x="1"} +Inf 5\nc -Inf\n');
    expect(JSON.parse(samplesToJson(r.samples))).toEqual([
      { name: "a", labels: {}, value: "NaN", timestampMs: null },
      { name: "b", labels: { x: "1" }, value: "+Inf", timestampMs: 5 },
      { name: "c", labels: {}, value: "-Inf", timestampMs: null },
    ]);
    expect(samplesToJson([])).toBe("[]\n");
  });

  it("prints a readable summary with the GPUs the exporter labels name", async () => {
    const io = capture();
    expect(await run(["parse", dump("datadog-dcgm-fixture-metrics.txt")])).toBe(0);
    expect(io.out()).toContain("38 samples in 38 declared families, 116 lines, 0 malformed");
    expect(io.out()).toContain("GPU-20c56d28-0da5-6d26-a36a-e7af1ce2586e");
    expect(io.out()).toMatch(/DCGM_FI_DEV_POWER_USAGE\s+gauge\s+1\s+8\.969\s+8\.969\s+Power draw \(in W\)\./);
  });

  it("reports usage errors and unreadable files with exit code 2", async () => {
    const io = capture();
    expect(await run(["parse"])).toBe(2);
    expect(await run(["parse", "a", "b"])).toBe(2);
    expect(await run(["parse", "x", "--jsn"])).toBe(2);
    expect(await run(["frobnicate", "x"])).toBe(2);
    expect(await run(["parse", "/definitely/not/here.prom"])).toBe(2);
    expect(io.err()).toContain("cannot read /definitely/not/here.prom: ENOENT");
    expect(io.err()).toContain("unknown option --jsn");
  });
});

describe("metrics xid and health", () => {
  it("decodes a real kernel log", async () => {
    const io = capture();
    expect(await run(["xid", realFixture("xid-and-kernel-logs", "gpud-testdata", "dmesg-with-xid-119.log"), "--json"])).toBe(0);
    const events = JSON.parse(io.out()) as { xid: number; line: number; meaning: { name: string } }[];
    expect(events.map((e) => [e.line, e.xid, e.meaning.name])).toEqual([3, 38, 40, 42, 43].map((l) => [l, 119, "GSP RPC timeout"]));
  });

  it("finds no alerts in the healthy real dumps", async () => {
    const io = capture();
    expect(await run(["health", dump("issue-snippets.prom"), "--json"])).toBe(0);
    expect(JSON.parse(io.out())).toEqual([]);
  });
});
