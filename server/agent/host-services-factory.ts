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
export async function hostServices(config: AgentConfig, opts: { simulated: boolean }): Promise<{ binder?: GpuBinder; preflight?: Preflight }> {
  const { sysfsRoot, stateDir } = config.agent;
  const binder = new SysfsVfioBinder({ sysfsRoot, stateDir });
  if (opts.simulated) {
    if (!kernels.has(sysfsRoot)) kernels.set(sysfsRoot, new FakeKernel({ root: sysfsRoot }).start());
    return { binder, preflight: new SimulatedPreflight({ sysfsRoot, kata: config.kata }) };
  }
  return { binder, preflight: new HostPreflight({ kata: config.kata, files: { sysfsRoot } }) };
}

/** Stops the fake kernels started by hostServices (tests; a simulated agent keeps its kernel until exit). */
export function stopFakeKernels(): void {
  for (const k of kernels.values()) k.stop();
  kernels.clear();
}
