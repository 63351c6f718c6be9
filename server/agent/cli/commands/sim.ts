// hypercell-agent sim --host NAME --controller HOST:PORT --join-token T --state-dir DIR [--listen HOST:PORT]
// A simulated GPU host: builds the host's fake sysfs tree (from the real captures) once under the state
// directory and runs the real agent on it. Only the hardware is simulated; the protocol is real.
// Its VMs live in <state-dir>/sim-runtime.json, so they survive a restart of this process.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseAgentConfig } from "../../config/agent-config";
import { buildFakeSysfs, parseSize } from "../../drivers/pci/fake-sysfs";
import { SysfsPciBus } from "../../drivers/pci/sysfs-pci-bus";
import { getSimHost, listSimHosts } from "../../sim/hosts";
import { AgentRuntime } from "../../runtime";
import { hostServices, parseSimFault } from "../../host-services-factory";
import { serveUntilSignal } from "./serve";
import { SimulatedKataRuntime } from "../../kernels/simulated-kata-runtime";
import { SIM_RUNTIME_STATE_FILE } from "../../kernels/persistent-runtime-store";
import { freePort } from "../../../lib/free-port";
import { SimulatedKernelTelemetry } from "../../telemetry/simulated-kernel-telemetry";

export const summary = "run a simulated host: --host NAME --controller HOST:PORT --join-token T --state-dir DIR [--fault KIND:ADDRESS]";

/** What each simulated host offers besides its PCI tree. */
const HOST_SIZES: Record<string, { vcpus: number; memoryBytes: number; confidential: "none" | "tdx" | "sev-snp"; resourceGroup: string }> = {
  "hgx-h100": { vcpus: 224, memoryBytes: 2048 * 2 ** 30, confidential: "tdx", resourceGroup: "gpu-kata" },
  "pcie-4gpu": { vcpus: 96, memoryBytes: 768 * 2 ** 30, confidential: "sev-snp", resourceGroup: "gpu-kata" },
  "cpu-only": { vcpus: 64, memoryBytes: 512 * 2 ** 30, confidential: "none", resourceGroup: "cpu-kata" },
  "iommu-off": { vcpus: 32, memoryBytes: 256 * 2 ** 30, confidential: "none", resourceGroup: "gpu-kata-dev" },
};

/**
 * A number from the environment: HYPERCELL_SIM_TIME_SCALE multiplies every simulated phase (image
 * pull, VM boot phases, HYPERCELL_SIM_PREPARE_MS spent preparing each kernel) — tests stretch the boot
 * with it to act in a given phase.
 */
function simNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}="${raw}" is not a number ≥ 0`);
  return n;
}

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

export async function run(argv: string[]): Promise<number> {
  const host = arg(argv, "--host");
  const controller = arg(argv, "--controller");
  const token = arg(argv, "--join-token");
  const stateDirArg = arg(argv, "--state-dir");
  const spec = host ? getSimHost(host) : null;
  if (!spec || !controller || !token || !stateDirArg) {
    console.error(`usage: hypercell-agent sim --host NAME --controller HOST:PORT --join-token T --state-dir DIR [--listen HOST:PORT]\nhosts: ${listSimHosts().map((h) => h.hostname).join(", ")}`);
    return 2;
  }
  const stateDir = path.resolve(stateDirArg);
  const sysfsRoot = path.join(stateDir, "sysfs");
  mkdirSync(stateDir, { recursive: true });
  // Built once: the tree keeps what bind/unbind did across agent restarts, as a real host would.
  if (!existsSync(path.join(sysfsRoot, "bus"))) {
    mkdirSync(sysfsRoot, { recursive: true });
    buildFakeSysfs(spec, sysfsRoot);
  }
  const size = HOST_SIZES[spec.hostname] ?? { vcpus: 16, memoryBytes: 64 * 2 ** 30, confidential: "none" as const, resourceGroup: "gpu-kata" };
  const listen = arg(argv, "--listen") ?? `127.0.0.1:${await freePort()}`;
  const toml = [
    "[agent]",
    `id = "${spec.hostname}"`,
    `backend = "kata"`,
    `resource-group = "${arg(argv, "--resource-group") ?? size.resourceGroup}"`,
    `listen-address = "${listen}"`,
    `controller-address = "${controller}"`,
    `join-token = "${token}"`,
    `state-dir = "${stateDir}"`,
    `sysfs-root = "${sysfsRoot}"`,
    "",
    "[kata]",
    `confidential-guest = ${size.confidential !== "none"}`,
    ...(size.confidential === "sev-snp" ? [`guest-attestation = "sev-snp"`] : []),
    // GPU hosts mount the demo NFS volume, so their VMs can mount vfolders stored on it; the CPU host does not.
    ...(spec.devices.some((d) => d.vendor === "10de" && d.class.startsWith("03")) ? ["", "[[kata.storage-mounts]]", `fs-type = "nfs4"`, `source = "storage-server:/exports/vfstore"`, `mountpoint = "/mnt/vfstore"`, `options = "vers=4.1,rsize=1048576,wsize=1048576"`] : []),
    "",
  ].join("\n");
  writeFileSync(path.join(stateDir, "agent.toml"), toml);
  const config = parseAgentConfig(toml, { file: path.join(stateDir, "agent.toml") });
  // --fault KIND:ADDRESS (repeatable) makes the simulated kernel misbehave, to show rollbacks.
  const faultArgs = argv.flatMap((a, i) => (a === "--fault" && argv[i + 1] ? [argv[i + 1]!] : []));
  // vm-boot:ADDRESS makes every VM with that GPU fail to boot; the rest are kernel (sysfs) faults.
  const bootFaults = faultArgs.filter((f) => f.startsWith("vm-boot:")).map((f) => f.slice("vm-boot:".length));
  // xid:CODE:ADDRESS makes the in-guest exporter of a VM holding that GPU report the Xid 20 s after it starts.
  const xidFaults = faultArgs
    .filter((f) => f.startsWith("xid:"))
    .map((f) => {
      const m = /^xid:(\d{1,3}):([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7])$/.exec(f);
      if (!m) throw new Error(`fault "${f}" is not xid:CODE:ADDRESS, e.g. xid:79:0000:3b:00.0`);
      return { code: Number(m[1]), address: m[2]!, afterMs: 20_000 };
    });
  const faults = faultArgs.filter((f) => !f.startsWith("vm-boot:") && !f.startsWith("xid:")).map(parseSimFault);
  const services = await hostServices(config, { simulated: true, faults });
  const runtime = new AgentRuntime({
    config,
    pciBus: new SysfsPciBus({ root: sysfsRoot }),
    host: { vcpus: size.vcpus, memoryBytes: size.memoryBytes, confidentialCapability: size.confidential, simulated: true },
    sandboxRuntime: new SimulatedKataRuntime({
      // The host's VMs outlive this process, as shim-run Kata VMs do: a restarted agent re-adopts them.
      stateFile: path.join(stateDir, SIM_RUNTIME_STATE_FILE),
      timeScale: simNumber("HYPERCELL_SIM_TIME_SCALE", 1),
      prepareMs: simNumber("HYPERCELL_SIM_PREPARE_MS", 0),
      hypervisor: config.kata.hypervisor,
      confidential: size.confidential,
      barBytes: (address) => Math.max(0, ...(spec.devices.find((d) => d.address === address)?.bars ?? []).map((b) => Number(parseSize(b.size)))),
      failingGpus: new Map(bootFaults.map((f) => [f, "BAR mapping timed out (the GPU stopped answering config cycles)"])),
    }),
    telemetry: new SimulatedKernelTelemetry({ hostname: spec.hostname, intervalMs: Number(process.env.HYPERCELL_SIM_SCRAPE_INTERVAL_MS ?? 5_000), xidFaults }),
    ...services,
  });
  return serveUntilSignal(runtime);
}
