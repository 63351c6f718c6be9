/**
 * A DCGM exporter for simulated hosts: a real HTTP server (127.0.0.1, a free port) that answers
 * GET /metrics in the real exporter's exact text format — same metric families, HELP/TYPE text,
 * label names and order (gpu, UUID, pci_bus_id, device, modelName, Hostname,
 * DCGM_FI_DRIVER_VERSION, then container/namespace/pod when a workload is attached), integers
 * printed with %d and floating-point fields with %f — for N GPUs running a workload-shaped load:
 * utilization ramps up and dips for evaluation/checkpoint phases, framebuffer use follows it and
 * stays allocated, power follows utilization, temperature lags power with a thermal time
 * constant, clocks boost under load and drop when idle, energy and traffic counters integrate.
 * `injectXid` makes a GPU report an Xid the way a failing GPU would (and logs the kernel line).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { gzipSync } from "node:zlib";
import { escapeLabelValue } from "../../../domain/metrics/prom-text-writer.ts";
import { describeXid, formatXidLine } from "../../../domain/metrics/xid.ts";
import { SIMULATED_DCGM_FIELDS } from "./dcgm-fields.ts";

export interface SimulatedGpuModel {
  fbTotalMiB: number;
  fbReservedMiB: number;
  tdpW: number;
  idleW: number;
  maxSmClockMHz: number;
  idleSmClockMHz: number;
  memClockMHz: number;
  slowdownTempC: number;
}

// Simulation parameters, chosen to look like the class of GPU, not datasheet quotes.
export const SIMULATED_GPU_MODELS: Readonly<Record<string, SimulatedGpuModel>> = Object.freeze({
  "NVIDIA H100 80GB HBM3": { fbTotalMiB: 81559, fbReservedMiB: 568, tdpW: 700, idleW: 72, maxSmClockMHz: 1980, idleSmClockMHz: 345, memClockMHz: 2619, slowdownTempC: 90 },
  "NVIDIA A100-SXM4-80GB": { fbTotalMiB: 81920, fbReservedMiB: 605, tdpW: 400, idleW: 58, maxSmClockMHz: 1410, idleSmClockMHz: 210, memClockMHz: 1593, slowdownTempC: 88 },
  "NVIDIA L40S": { fbTotalMiB: 46068, fbReservedMiB: 512, tdpW: 350, idleW: 35, maxSmClockMHz: 2520, idleSmClockMHz: 210, memClockMHz: 9001, slowdownTempC: 88 },
});

export type WorkloadProfile = "training" | "inference" | "idle";

export interface SimulatedDcgmExporterOptions {
  /** Number of GPUs; default 8. */
  gpus?: number;
  /** A key of SIMULATED_GPU_MODELS; default "NVIDIA H100 80GB HBM3". */
  modelName?: string;
  hostname?: string;
  /** Older exporters write "Hostname", current ones "hostname"; default "Hostname". */
  hostnameLabel?: "Hostname" | "hostname";
  driverVersion?: string;
  profile?: WorkloadProfile;
  /** Pod labels as the exporter adds them when it maps GPUs to Kubernetes pods. */
  workload?: { container: string; namespace: string; pod: string };
  /** PCI bus ids as the exporter prints them ("00000000:18:00.0"); default HGX-like. */
  pciBusIds?: readonly string[];
  seed?: number;
  /** Clock for the workload model (epoch ms); default Date.now. */
  now?: () => number;
  /** Answer with gzip when the client accepts it, as the real exporter does; default true. */
  gzip?: boolean;
}

export type ExporterFault =
  | { kind: "status"; status: number }
  | { kind: "delay"; ms: number }
  | { kind: "hang" }
  | { kind: "garbage" }
  | { kind: "oversize"; bytes: number };

export interface SimulatedGpu {
  index: number;
  uuid: string;
  /** As the exporter prints it: 00000000:18:00.0 */
  pciBusId: string;
  device: string;
}

interface GpuState extends SimulatedGpu {
  tempC: number;
  memTempC: number;
  energyMj: number;
  nvlinkTotal: number;
  powerViolationNs: number;
  thermalViolationNs: number;
  counters: Record<string, number>;
  lastXid: number;
  offBus: boolean;
  thermalOffsetC: number;
  phase: number;
}

const HGX_BUSES = ["18", "2A", "3A", "5D", "9A", "AB", "BA", "DB"];
const AMBIENT_C = 28;
const THERMAL_TAU_S = 45;
const MEMORY_TAU_S = 70;

// Deterministic hash → [0, 1): the simulation is reproducible for a seed and a clock.
function hash01(...parts: number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p | 0), 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
  }
  return (h >>> 0) / 4294967296;
}

function hex(seed: number, salt: number, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += Math.floor(hash01(seed, salt, i) * 16).toString(16);
  return s;
}

const smoothstep = (x: number) => (x <= 0 ? 0 : x >= 1 ? 1 : x * x * (3 - 2 * x));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

const XID_MESSAGES: Readonly<Record<number, string>> = {
  13: "Graphics SM Warp Exception on (GPC 0, TPC 0, SM 0): Out Of Range Address",
  31: "MMU Fault: ENGINE GRAPHICS GPCCLIENT_T1_0 faulted @ 0x7f12_34560000. Fault is of type FAULT_PDE ACCESS_TYPE_VIRT_READ",
  43: "Ch 00000008",
  48: "An uncorrectable double bit error (DBE) has been detected on GPU in the framebuffer at physAddr 0x12bac1c3e0 partition 2, subpartition 1.",
  63: "Row Remapper: New row (0x00000012bac1c3e0) marked for remapping, reset gpu to activate.",
  64: "Row Remapper: Failed to mark row for remapping.",
  74: "NVLink: fatal error detected on link 3(0x0, 0x0, 0x10000, 0x0, 0x0, 0x0, 0x0)",
  79: "GPU has fallen off the bus.",
  92: "High single-bit ECC error rate",
  94: "Contained: SM (0x1). RST: No, D-RST: No",
  95: "Uncontained: LTC TAG (0x2,0x0). RST: Yes, D-RST: No",
  119: "Timeout after 6s of waiting for RPC response from GPU0 GSP! Expected function 76 (GSP_RM_CONTROL) (0x20800a4c 0x4).",
};

export class SimulatedDcgmExporter {
  readonly gpus: readonly SimulatedGpu[];
  readonly modelName: string;
  readonly hostname: string;
  /** Number of /metrics requests answered (or faulted). */
  scrapes = 0;
  private readonly model: SimulatedGpuModel;
  private readonly state: GpuState[];
  private readonly labelBlocks: string[];
  private readonly now: () => number;
  private readonly startMs: number;
  private readonly seed: number;
  private readonly gzip: boolean;
  private profile: WorkloadProfile;
  private lastMs: number | null = null;
  private fault: ExporterFault | null = null;
  private server: http.Server | null = null;
  private address = "";
  private readonly log: string[] = [];

  constructor(options: SimulatedDcgmExporterOptions = {}) {
    const count = options.gpus ?? 8;
    this.modelName = options.modelName ?? "NVIDIA H100 80GB HBM3";
    const model = SIMULATED_GPU_MODELS[this.modelName];
    if (model === undefined) throw new Error(`unknown simulated GPU model ${JSON.stringify(this.modelName)}; known: ${Object.keys(SIMULATED_GPU_MODELS).join(", ")}`);
    this.model = model;
    this.hostname = options.hostname ?? "hypercell-sim";
    this.seed = options.seed ?? 1;
    this.now = options.now ?? Date.now;
    this.startMs = this.now();
    this.profile = options.profile ?? "training";
    this.gzip = options.gzip ?? true;
    const driver = options.driverVersion ?? "550.54.15";
    const hostLabel = options.hostnameLabel ?? "Hostname";
    this.state = Array.from({ length: count }, (_, i) => {
      const bus = options.pciBusIds?.[i] ?? `00000000:${HGX_BUSES[i] ?? (0x10 + i * 0x10).toString(16).toUpperCase().padStart(2, "0")}:00.0`;
      const uuid = `GPU-${hex(this.seed, i, 8)}-${hex(this.seed, i + 100, 4)}-${hex(this.seed, i + 200, 4)}-${hex(this.seed, i + 300, 4)}-${hex(this.seed, i + 400, 12)}`;
      return {
        index: i,
        uuid,
        pciBusId: bus,
        device: `nvidia${i}`,
        tempC: AMBIENT_C + 6,
        memTempC: AMBIENT_C + 8,
        energyMj: Math.round(3.6e9 + hash01(this.seed, i, 7) * 1e9),
        nvlinkTotal: 0,
        powerViolationNs: 0,
        thermalViolationNs: 0,
        counters: {},
        lastXid: 0,
        offBus: false,
        thermalOffsetC: (hash01(this.seed, i, 11) - 0.5) * 6,
        phase: hash01(this.seed, i, 13) * 2,
      };
    });
    this.gpus = this.state.map(({ index, uuid, pciBusId, device }) => Object.freeze({ index, uuid, pciBusId, device }));
    this.labelBlocks = this.state.map((g) => {
      const pairs: [string, string][] = [
        ["gpu", String(g.index)],
        ["UUID", g.uuid],
        ["pci_bus_id", g.pciBusId],
        ["device", g.device],
        ["modelName", this.modelName],
        [hostLabel, this.hostname],
        ["DCGM_FI_DRIVER_VERSION", driver],
      ];
      if (options.workload) pairs.push(["container", options.workload.container], ["namespace", options.workload.namespace], ["pod", options.workload.pod]);
      return `{${pairs.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(",")}}`;
    });
  }

  /** The URL of /metrics once started; "" before. */
  get url(): string {
    return this.address;
  }

  /** Starts the HTTP server on 127.0.0.1 and a free port; resolves with the /metrics URL. */
  async start(): Promise<string> {
    if (this.server) return this.address;
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    this.address = `http://127.0.0.1:${port}/metrics`;
    return this.address;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Makes the next answers fail in a chosen way (null: healthy again). */
  setFault(fault: ExporterFault | null): void {
    this.fault = fault;
  }

  setProfile(profile: WorkloadProfile): void {
    this.profile = profile;
  }

  /**
   * The GPU reports Xid `code` from now on (DCGM_FI_DEV_XID_ERRORS holds the last one), with the
   * side effects the error has on the other fields (ECC and remap counters, NVLink errors, a GPU
   * that fell off the bus going dark), and the driver's kernel line is appended to kernelLog().
   */
  injectXid(gpu: number, code: number): void {
    const g = this.state[gpu];
    if (g === undefined) throw new Error(`no GPU ${gpu} (this exporter has ${this.state.length})`);
    if (!Number.isInteger(code) || code <= 0) throw new Error(`Xid must be a positive integer, got ${code}`);
    this.advance(this.now());
    g.lastXid = code;
    const add = (name: string, n: number) => (g.counters[name] = (g.counters[name] ?? 0) + n);
    switch (code) {
      case 48:
      case 94:
      case 95:
        add("DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", 1);
        add("DCGM_FI_DEV_ECC_DBE_AGG_TOTAL", 1);
        add("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 1);
        break;
      case 63:
        add("DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", 1);
        break;
      case 64:
        g.counters.DCGM_FI_DEV_ROW_REMAP_FAILURE = 1;
        break;
      case 74:
        add("DCGM_FI_DEV_NVLINK_CRC_FLIT_ERROR_COUNT_TOTAL", 480);
        add("DCGM_FI_DEV_NVLINK_REPLAY_ERROR_COUNT_TOTAL", 120);
        add("DCGM_FI_DEV_NVLINK_RECOVERY_ERROR_COUNT_TOTAL", 1);
        break;
      case 79:
        g.offBus = true;
        break;
      case 92:
        add("DCGM_FI_DEV_ECC_SBE_VOL_TOTAL", 1000);
        add("DCGM_FI_DEV_ECC_SBE_AGG_TOTAL", 1000);
        break;
    }
    const uptime = ((this.now() - this.startMs) / 1000 + 120).toFixed(6).padStart(12);
    const proc = code === 79 || code === 48 || code === 63 || code === 64 ? undefined : { pid: 4242, name: "python3" };
    this.log.push(`[${uptime}] ${formatXidLine(g.pciBusId, code, XID_MESSAGES[code] ?? describeXid(code).name, proc)}`);
  }

  /** Kernel log lines the injected Xids would have produced, oldest first. */
  kernelLog(): readonly string[] {
    return this.log;
  }

  /** The exposition at `atMs` (default: the clock's now), advancing the workload model. */
  render(atMs: number = this.now()): string {
    const values = this.advance(atMs);
    let out = "";
    for (const field of SIMULATED_DCGM_FIELDS) {
      out += `# HELP ${field.name} ${field.help}\n# TYPE ${field.name} ${field.type}\n`;
      for (let i = 0; i < this.state.length; i++) {
        const v = values[i]![field.name] ?? 0;
        out += `${field.name}${this.labelBlocks[i]} ${field.format === "float" ? v.toFixed(6) : String(Math.round(v))}\n`;
      }
    }
    return out;
  }

  /** Moves the model to `atMs` and returns every GPU's field values there. */
  private advance(atMs: number): Record<string, number>[] {
    const t = Math.max(0, (atMs - this.startMs) / 1000);
    const fromT = this.lastMs === null ? t : Math.max(0, (this.lastMs - this.startMs) / 1000);
    if (this.lastMs === null || atMs > this.lastMs) this.lastMs = atMs;
    const m = this.model;
    return this.state.map((g) => {
      this.integrate(g, fromT, t);
      const util = g.offBus ? 0 : this.utilization(g, t);
      const memWarm = this.profile === "idle" ? 0 : smoothstep(t / 25);
      const memShare = this.profile === "training" ? 0.86 : this.profile === "inference" ? 0.62 : 0;
      const usable = m.fbTotalMiB - m.fbReservedMiB;
      const fbUsed = g.offBus ? 0 : Math.round(usable * memShare * memWarm + (memWarm > 0 ? 512 : 0));
      const noise = hash01(this.seed, g.index, Math.floor(t), 3);
      const load = util / 100;
      const power = this.power(g, t);
      const capped = power > m.tdpW * 0.97;
      // Boost clocks sag a little as power approaches the limit.
      const sm = g.offBus ? 0 : util < 3 ? m.idleSmClockMHz : m.maxSmClockMHz - Math.round((Math.pow(power / m.tdpW, 4) * 240) / 15) * 15;
      const gr = g.offBus ? 0 : clamp(load * (0.95 + 0.04 * noise), 0, 1);
      const tensor = this.profile === "training" ? 0.58 : 0.35;
      const nvlinkBps = this.nvlinkRate(g, t);
      const reasons = g.offBus ? 0 : (util < 3 ? 0x1 : 0) | (capped ? 0x4 : 0) | (g.tempC >= m.slowdownTempC ? 0x20 : 0);
      return {
        ...g.counters,
        DCGM_FI_DEV_SM_CLOCK: sm,
        DCGM_FI_DEV_MEM_CLOCK: g.offBus ? 0 : m.memClockMHz,
        DCGM_FI_DEV_MEMORY_TEMP: g.memTempC,
        DCGM_FI_DEV_GPU_TEMP: g.tempC,
        DCGM_FI_DEV_POWER_USAGE: power,
        DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: g.energyMj,
        DCGM_FI_DEV_GPU_UTIL: util,
        DCGM_FI_DEV_MEM_COPY_UTIL: Math.round(util * (0.38 + 0.1 * noise)),
        DCGM_FI_DEV_XID_ERRORS: g.lastXid,
        DCGM_FI_DEV_POWER_VIOLATION: g.powerViolationNs,
        DCGM_FI_DEV_THERMAL_VIOLATION: g.thermalViolationNs,
        DCGM_FI_DEV_FB_FREE: g.offBus ? 0 : usable - fbUsed,
        DCGM_FI_DEV_FB_USED: fbUsed,
        DCGM_FI_DEV_FB_RESERVED: m.fbReservedMiB,
        DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL: g.nvlinkTotal / 1024,
        DCGM_FI_DEV_POWER_MGMT_LIMIT: m.tdpW,
        DCGM_FI_DEV_SLOWDOWN_TEMP: m.slowdownTempC,
        DCGM_FI_DEV_CLOCK_THROTTLE_REASONS: reasons,
        DCGM_FI_PROF_GR_ENGINE_ACTIVE: gr,
        DCGM_FI_PROF_SM_ACTIVE: gr * 0.93,
        DCGM_FI_PROF_SM_OCCUPANCY: gr * 0.93 * 0.47,
        DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: gr * tensor,
        DCGM_FI_PROF_DRAM_ACTIVE: gr * 0.61,
        DCGM_FI_PROF_PIPE_FP64_ACTIVE: 0,
        DCGM_FI_PROF_PIPE_FP32_ACTIVE: gr * 0.14,
        DCGM_FI_PROF_PIPE_FP16_ACTIVE: gr * 0.04,
        DCGM_FI_PROF_PCIE_TX_BYTES: g.offBus ? 0 : load * 1.9e9 * (0.9 + 0.2 * noise) + 2.1e5,
        DCGM_FI_PROF_PCIE_RX_BYTES: g.offBus ? 0 : load * 4.6e9 * (0.9 + 0.2 * noise) + 3.4e5,
        DCGM_FI_PROF_NVLINK_TX_BYTES: nvlinkBps / 2,
        DCGM_FI_PROF_NVLINK_RX_BYTES: nvlinkBps / 2,
      };
    });
  }

  /**
   * Integrates temperature, energy, traffic and throttle time from t0 to t1 in steps of at most
   * a few seconds, so the result does not depend on how often the exporter is scraped.
   */
  private integrate(g: GpuState, t0: number, t1: number): void {
    if (!(t1 > t0)) return;
    const m = this.model;
    const steps = Math.min(4000, Math.ceil((t1 - t0) / 2));
    const dt = (t1 - t0) / steps;
    for (let k = 1; k <= steps; k++) {
      const t = t0 + k * dt;
      const power = this.power(g, t);
      // Temperature follows power through a first-order lag: it keeps rising after a power step.
      const targetC = AMBIENT_C + g.thermalOffsetC + (power / m.tdpW) * 50;
      g.tempC += (targetC - g.tempC) * (1 - Math.exp(-dt / THERMAL_TAU_S));
      g.memTempC += (targetC + 6 - g.memTempC) * (1 - Math.exp(-dt / MEMORY_TAU_S));
      g.energyMj += power * dt * 1000;
      g.nvlinkTotal += this.nvlinkRate(g, t) * dt;
      if (power > m.tdpW * 0.97) g.powerViolationNs += dt * 1e9;
      if (g.tempC >= m.slowdownTempC) g.thermalViolationNs += dt * 1e9;
    }
  }

  private power(g: GpuState, t: number): number {
    if (g.offBus) return 0;
    const m = this.model;
    const load = this.utilization(g, t) / 100;
    const noise = hash01(this.seed, g.index, Math.floor(t), 3);
    return m.idleW + (m.tdpW - m.idleW) * Math.pow(load, 1.25) * (0.96 + 0.06 * noise);
  }

  private nvlinkRate(g: GpuState, t: number): number {
    if (g.offBus) return 0;
    const load = this.utilization(g, t) / 100;
    return this.profile === "training" ? load * 3.2e11 : load * 2e10;
  }

  /** GPU utilization in % at t seconds since start, for the current profile. */
  private utilization(g: GpuState, t: number): number {
    const noise = (hash01(this.seed, g.index, Math.floor(t), 1) - 0.5) * 6;
    let u: number;
    switch (this.profile) {
      case "idle":
        u = 0;
        break;
      case "inference":
        u = 22 + 55 * Math.max(0, Math.sin((2 * Math.PI * t) / 20 + g.phase)) + noise;
        break;
      case "training": {
        // Data loading/compile warm-up, then steady steps with an evaluation/checkpoint dip
        // of 30 s every 5 minutes, all GPUs together (data parallel).
        const warm = smoothstep((t - 5) / 40);
        const inDip = t > 60 && t % 300 > 270;
        const steady = inDip ? 14 + 8 * Math.sin(t / 3 + g.phase) : 94 + 3 * Math.sin((2 * Math.PI * t) / 37 + g.phase);
        u = warm * steady + noise * warm;
        break;
      }
    }
    return Math.round(clamp(u, 0, 100));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" || path !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("404 page not found\n");
      return;
    }
    this.scrapes++;
    const fault = this.fault;
    if (fault?.kind === "hang") return; // never answers; close() ends the connection
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "content-type": "text/plain" }).end(`simulated failure ${fault.status}\n`);
      return;
    }
    const send = () => {
      let body = this.render();
      if (fault?.kind === "garbage") body = `${body}this line is not an exposition line\nDCGM_FI_DEV_GPU_UTIL{gpu="0" 5\n`;
      if (fault?.kind === "oversize") body += `# ${"x".repeat(fault.bytes)}\n`;
      const headers: http.OutgoingHttpHeaders = { "content-type": "text/plain; version=0.0.4; charset=utf-8" };
      let payload: Buffer = Buffer.from(body, "utf8");
      if (this.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""))) {
        payload = gzipSync(payload);
        headers["content-encoding"] = "gzip";
      }
      headers["content-length"] = payload.length;
      res.writeHead(200, headers).end(payload);
    };
    if (fault?.kind === "delay") setTimeout(send, fault.ms);
    else send();
  }
}
