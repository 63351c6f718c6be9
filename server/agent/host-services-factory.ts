/**
 * Picks the implementations of the agent's host services (preflight, VFIO binder) for a config.
 * A real host gets HostPreflight and SysfsVfioBinder on its sysfs root. A simulated host gets the same
 * binder on its fake tree, with a FakeKernel answering the writes as Linux would, and a
 * SimulatedPreflight that checks what the tree holds and labels the rest as simulated.
 */
import type { AgentConfig } from "./config/agent-config";
import type { GpuBinder, Preflight } from "./host-services";
import { HostPreflight } from "./drivers/preflight/host-preflight";
import { SimulatedPreflight } from "./drivers/preflight/simulated-preflight";
import { FakeKernel } from "./drivers/vfio/fake-kernel";
import { SysfsVfioBinder } from "./drivers/vfio/sysfs-vfio-binder";

/** Fake kernels started here, by sysfs root: one per tree, however often services are asked for. */
const kernels = new Map<string, FakeKernel>();

/**
 * The services for `config`. For a simulated host, starts (once per tree, for the life of the process)
 * a FakeKernel on config.agent.sysfsRoot; throws the fs error when that root is not a sysfs tree.
 */
/** A fault a simulated host's kernel injects, to show how binding fails and rolls back. */
export type SimFault = { kind: "refuse-unbind" | "hang" | "fail-probe"; address: string };

/** Parses `refuse-unbind:0000:c1:00.1` (kind, then a PCI address); throws a clear message otherwise. */
export function parseSimFault(text: string): SimFault {
  const i = text.indexOf(":");
  const kind = text.slice(0, i);
  const address = text.slice(i + 1);
  if (i < 0 || !["refuse-unbind", "hang", "fail-probe"].includes(kind) || !/^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$/.test(address)) {
    throw new Error(`fault "${text}" is not KIND:ADDRESS with KIND refuse-unbind, hang or fail-probe and ADDRESS like 0000:c1:00.1`);
  }
  return { kind: kind as SimFault["kind"], address };
}

export async function hostServices(config: AgentConfig, opts: { simulated: boolean; faults?: SimFault[] }): Promise<{ binder?: GpuBinder; preflight?: Preflight }> {
  const { sysfsRoot, stateDir } = config.agent;
  const binder = new SysfsVfioBinder({ sysfsRoot, stateDir });
  if (opts.simulated) {
    if (!kernels.has(sysfsRoot)) {
      const kernel = new FakeKernel({ root: sysfsRoot }).start();
      for (const f of opts.faults ?? []) {
        if (f.kind === "refuse-unbind") kernel.refuseUnbind(f.address);
        else if (f.kind === "hang") kernel.hangOn(f.address);
        else kernel.failProbe(f.address);
      }
      kernels.set(sysfsRoot, kernel);
    }
    return { binder, preflight: new SimulatedPreflight({ sysfsRoot, kata: config.kata }) };
  }
  return { binder, preflight: new HostPreflight({ kata: config.kata, files: { sysfsRoot } }) };
}

/** Stops the fake kernels started by hostServices (tests; a simulated agent keeps its kernel until exit). */
export function stopFakeKernels(): void {
  for (const k of kernels.values()) k.stop();
  kernels.clear();
}
