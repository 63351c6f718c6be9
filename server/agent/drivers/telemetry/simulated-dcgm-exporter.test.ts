import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { realFixture } from "@/test/fixtures";
import { parsePrometheusText, type Sample } from "@/server/domain/metrics/prom-text-parser";
import { parseXidLog } from "@/server/domain/metrics/xid";
import { SIMULATED_DCGM_FIELDS, parseDcgmCountersCsv } from "./dcgm-fields";
import { SimulatedDcgmExporter } from "./simulated-dcgm-exporter";

const DUMPS = ["datadog-dcgm-fixture-metrics.txt", "issue-snippets.prom"];
const readDump = (file: string) => readFileSync(realFixture("dcgm-exporter", "metrics-dumps", file), "utf8");
const T0 = 1_700_000_000_000;

function clock() {
  const c = { ms: T0, now: () => c.ms, at: (s: number) => (c.ms = T0 + s * 1000) };
  return c;
}

const valueOf = (samples: Sample[], name: string, gpu = "0") => samples.find((s) => s.name === name && s.labels.gpu === gpu)!.value;

describe("SimulatedDcgmExporter output against the real captures", () => {
  const real = DUMPS.map((f) => ({ file: f, text: readDump(f), parsed: parsePrometheusText(readDump(f)) }));
  const sim = new SimulatedDcgmExporter({ gpus: 4, workload: { container: "trainer", namespace: "proj-a", pod: "session-1" } });
  const text = sim.render();
  const parsed = parsePrometheusText(text);

  it("parses cleanly: every field for every GPU, with HELP and TYPE", () => {
    expect(parsed.errors).toEqual([]);
    expect(parsed.samples).toHaveLength(SIMULATED_DCGM_FIELDS.length * 4);
    for (const field of SIMULATED_DCGM_FIELDS) expect(parsed.families.get(field.name)).toEqual({ name: field.name, type: field.type, help: field.help });
  });

  it("uses only label names the real exporter writes, in the real exporter's order", () => {
    const realLabelLists = real.flatMap((r) => r.parsed.samples.map((s) => Object.keys(s.labels)).filter((k) => k.length > 0));
    const known = new Set(realLabelLists.flat());
    const before = new Set<string>(); // "a<b": a came before b in some real sample
    for (const list of realLabelLists) for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) before.add(`${list[i]}<${list[j]}`);
    for (const s of parsed.samples) {
      const names = Object.keys(s.labels);
      expect(names).toEqual(["gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname", "DCGM_FI_DRIVER_VERSION", "container", "namespace", "pod"]);
      for (const n of names) expect(known.has(n), n).toBe(true);
      for (let i = 0; i < names.length; i++) for (let j = i + 1; j < names.length; j++) expect(before.has(`${names[j]}<${names[i]}`), `${names[j]} before ${names[i]}`).toBe(false);
    }
    // And the label values look like the real ones.
    const s0 = parsed.samples[0]!.labels;
    expect(s0.UUID).toMatch(/^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(s0.pci_bus_id).toMatch(/^[0-9A-F]{8}:[0-9A-F]{2}:00\.0$/);
    expect(s0.device).toBe("nvidia0");
  });

  it("serves the families the issue names, all of which the real captures or counter lists contain", () => {
    const names = new Set(parsed.families.keys());
    for (const n of ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_SM_CLOCK", "DCGM_FI_DEV_MEM_CLOCK", "DCGM_FI_DEV_XID_ERRORS", "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL", "DCGM_FI_PROF_PCIE_TX_BYTES", "DCGM_FI_PROF_PCIE_RX_BYTES", "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "DCGM_FI_PROF_DRAM_ACTIVE"]) {
      expect(names.has(n), n).toBe(true);
    }
    const csv = new Set(["etc_default-counters.csv", "etc_dcp-metrics-included.csv"].flatMap((f) => parseDcgmCountersCsv(readFileSync(realFixture("dcgm-exporter", "config", f), "utf8")).map((e) => e.name)));
    const inDumps = new Set(real.flatMap((r) => [...r.parsed.families.keys()]));
    // Named by DCGM but in neither capture: the NVLink byte-rate profiling fields.
    const notCaptured = [...names].filter((n) => !csv.has(n) && !inDumps.has(n));
    expect(notCaptured).toEqual(["DCGM_FI_PROF_NVLINK_TX_BYTES", "DCGM_FI_PROF_NVLINK_RX_BYTES"]);
  });

  it("takes TYPE and HELP from the exporter's counters CSV, and agrees with the dumps' TYPE", () => {
    const csv = new Map(["etc_default-counters.csv", "etc_dcp-metrics-included.csv"].flatMap((f) => parseDcgmCountersCsv(readFileSync(realFixture("dcgm-exporter", "config", f), "utf8")).map((e) => [e.name, e] as const)));
    let compared = 0;
    for (const field of SIMULATED_DCGM_FIELDS) {
      const entry = csv.get(field.name);
      if (entry === undefined) continue;
      compared++;
      expect(field.type, field.name).toBe(entry.type);
      expect(field.help, field.name).toBe(entry.help);
    }
    expect(compared).toBeGreaterThanOrEqual(40);
    for (const r of real) {
      for (const [name, family] of r.parsed.families) {
        const mine = parsed.families.get(name);
        if (mine === undefined || family.help === null) continue;
        // The Datadog capture predates PCIe byte rates becoming gauges in the counters CSV.
        const csvType = csv.get(name)?.type;
        expect(family.type === mine.type || csvType === mine.type, `${r.file}: ${name}`).toBe(true);
      }
    }
  });

  it("prints values the way the real exporter does: %d for integer fields, %f for floating-point ones", () => {
    const shape = (v: string) => (/^-?\d+\.\d{6}$/.test(v) ? "float" : /^-?\d+$/.test(v) ? "int" : "other");
    const realShape = new Map<string, string>();
    for (const r of real) {
      for (const line of r.text.split("\n")) {
        const m = /^(\w+)\{.*\} (\S+)$/.exec(line); // labelled lines only: the unlabelled ones are dummies
        if (m) realShape.set(m[1]!, shape(m[2]!));
      }
    }
    let compared = 0;
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith("#")) continue;
      const [, name, value] = /^(\w+)\{.*\} (\S+)$/.exec(line)!;
      expect(shape(value!), line).not.toBe("other");
      const expected = realShape.get(name!);
      if (expected !== undefined) {
        compared++;
        expect(shape(value!), name).toBe(expected);
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  it("can write the lower-case hostname label of current exporters", () => {
    const lower = parsePrometheusText(new SimulatedDcgmExporter({ gpus: 1, hostnameLabel: "hostname", hostname: "node-7" }).render());
    expect(lower.samples[0]!.labels.hostname).toBe("node-7");
    expect(lower.samples[0]!.labels.Hostname).toBeUndefined();
  });
});

describe("SimulatedDcgmExporter workload model", () => {
  function run(profile: "training" | "idle" | "inference", seconds: number[]) {
    const c = clock();
    const sim = new SimulatedDcgmExporter({ gpus: 2, profile, now: c.now, seed: 7 });
    return seconds.map((s) => {
      c.at(s);
      return parsePrometheusText(sim.render()).samples;
    });
  }

  it("ramps utilization up, with memory following and staying allocated", () => {
    const seconds = Array.from({ length: 25 }, (_, i) => i * 5); // 0 … 120 s
    const frames = run("training", seconds);
    const util = frames.map((f) => valueOf(f, "DCGM_FI_DEV_GPU_UTIL"));
    const fb = frames.map((f) => valueOf(f, "DCGM_FI_DEV_FB_USED"));
    expect(util[0]).toBeLessThan(10);
    expect(Math.min(...util.slice(-6))).toBeGreaterThan(85);
    for (let i = 1; i < fb.length; i++) expect(fb[i]).toBeGreaterThanOrEqual(fb[i - 1]!);
    expect(fb.at(-1)!).toBeGreaterThan(0.8 * 81559);
    for (const f of frames) {
      const total = valueOf(f, "DCGM_FI_DEV_FB_USED") + valueOf(f, "DCGM_FI_DEV_FB_FREE") + valueOf(f, "DCGM_FI_DEV_FB_RESERVED");
      expect(total).toBe(81559);
    }
  });

  it("has temperature lag power: power jumps with load, temperature keeps climbing after it", () => {
    const frames = run("training", [0, 50, 60, 120, 240]);
    const power = frames.map((f) => valueOf(f, "DCGM_FI_DEV_POWER_USAGE"));
    const temp = frames.map((f) => valueOf(f, "DCGM_FI_DEV_GPU_TEMP"));
    expect(power[2]!).toBeGreaterThan(550); // at full load by 60 s
    expect(Math.abs(power[4]! - power[2]!)).toBeLessThan(80); // and steady after
    expect(temp[3]!).toBeGreaterThan(temp[2]!); // still rising at 120 s
    expect(temp[4]!).toBeGreaterThan(temp[3]!); // and at 240 s
    expect(temp[4]!).toBeLessThan(90);
  });

  it("dips for evaluation/checkpoint phases while memory stays allocated", () => {
    const [busy, dip] = run("training", [260, 285]);
    expect(valueOf(dip!, "DCGM_FI_DEV_GPU_UTIL")).toBeLessThan(30);
    expect(valueOf(busy!, "DCGM_FI_DEV_GPU_UTIL")).toBeGreaterThan(85);
    expect(valueOf(dip!, "DCGM_FI_DEV_FB_USED")).toBe(valueOf(busy!, "DCGM_FI_DEV_FB_USED"));
  });

  it("boosts clocks under load and idles them when there is none", () => {
    const [busy] = run("training", [120]);
    const [idle] = run("idle", [120]);
    expect(valueOf(busy!, "DCGM_FI_DEV_SM_CLOCK")).toBeGreaterThan(1500);
    expect(valueOf(idle!, "DCGM_FI_DEV_SM_CLOCK")).toBe(345);
    expect(valueOf(idle!, "DCGM_FI_DEV_CLOCK_THROTTLE_REASONS")).toBe(1); // GPU idle
    expect(valueOf(idle!, "DCGM_FI_DEV_GPU_UTIL")).toBe(0);
  });

  it("integrates counters monotonically, independent of how often it is scraped", () => {
    const fine = run("training", Array.from({ length: 61 }, (_, i) => i * 5));
    const coarse = run("training", [0, 300]);
    const energy = fine.map((f) => valueOf(f, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION"));
    for (let i = 1; i < energy.length; i++) expect(energy[i]).toBeGreaterThan(energy[i - 1]!);
    const fineEnergy = energy.at(-1)! - energy[0]!;
    const coarseEnergy = valueOf(coarse[1]!, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION") - valueOf(coarse[0]!, "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION");
    expect(Math.abs(fineEnergy - coarseEnergy) / fineEnergy).toBeLessThan(0.05);
    expect(Math.abs(valueOf(fine.at(-1)!, "DCGM_FI_DEV_GPU_TEMP") - valueOf(coarse[1]!, "DCGM_FI_DEV_GPU_TEMP"))).toBeLessThanOrEqual(2);
  });

  it("is deterministic for a seed and a clock", () => {
    expect(run("inference", [0, 33, 71])).toEqual(run("inference", [0, 33, 71]));
  });
});

describe("SimulatedDcgmExporter.injectXid", () => {
  it("sets the last-Xid gauge on that GPU only and logs the driver's kernel line", () => {
    const c = clock();
    const sim = new SimulatedDcgmExporter({ gpus: 4, now: c.now });
    c.at(100);
    sim.injectXid(2, 79);
    const samples = parsePrometheusText(sim.render()).samples;
    expect(["0", "1", "2", "3"].map((g) => valueOf(samples, "DCGM_FI_DEV_XID_ERRORS", g))).toEqual([0, 0, 79, 0]);
    // A GPU that fell off the bus goes dark.
    expect(valueOf(samples, "DCGM_FI_DEV_GPU_UTIL", "2")).toBe(0);
    expect(valueOf(samples, "DCGM_FI_DEV_POWER_USAGE", "2")).toBe(0);
    const events = parseXidLog(sim.kernelLog().join("\n"));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ xid: 79, pciAddress: "0000:3a:00.0", message: "GPU has fallen off the bus.", uptimeSeconds: 220 });
    expect(sim.gpus[2]!.pciBusId).toBe("00000000:3A:00.0");
  });

  it("moves the counters an error moves", () => {
    const sim = new SimulatedDcgmExporter({ gpus: 2 });
    sim.injectXid(0, 48);
    sim.injectXid(1, 74);
    const samples = parsePrometheusText(sim.render()).samples;
    expect(valueOf(samples, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "0")).toBe(1);
    expect(valueOf(samples, "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "1")).toBe(0);
    expect(valueOf(samples, "DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", "1")).toBe(1);
    expect(valueOf(samples, "DCGM_FI_DEV_XID_ERRORS", "1")).toBe(74);
  });

  it("refuses a GPU it does not have and a code that is not an Xid", () => {
    const sim = new SimulatedDcgmExporter({ gpus: 2 });
    expect(() => sim.injectXid(5, 79)).toThrow(/no GPU 5/);
    expect(() => sim.injectXid(0, 0)).toThrow(/positive integer/);
    expect(() => new SimulatedDcgmExporter({ modelName: "GeForce 256" })).toThrow(/unknown simulated GPU model/);
  });
});
