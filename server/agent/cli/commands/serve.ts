// hypercell-agent --config FILE: run the agent on this host.
import { loadAgentConfig } from "../../config/agent-config";
import { SysfsPciBus } from "../../drivers/pci/sysfs-pci-bus";
import { AgentRuntime } from "../../runtime";
import { hostServices } from "../../host-services-factory";
import { isAppError } from "../../../errors";
import { ContainerdSandboxRuntime } from "../../drivers/runtime/containerd-sandbox-runtime";

export const summary = "run the agent: --config FILE (TOML with [agent] and [kata])";

export async function run(argv: string[]): Promise<number> {
  const i = argv.indexOf("--config");
  const file = i >= 0 ? argv[i + 1] : undefined;
  if (!file) {
    console.error("usage: hypercell-agent --config FILE   (print a commented sample with: hypercell-agent config sample)");
    return 2;
  }
  let config;
  try {
    config = await loadAgentConfig(file);
  } catch (e) {
    console.error(isAppError(e) ? e.message : `cannot read ${file}: ${e instanceof Error ? e.message : e}`);
    return 2;
  }
  for (const w of config.warnings) console.warn(`warning: ${w}`);
  const services = await hostServices(config, { simulated: false });
  const sandboxRuntime = new ContainerdSandboxRuntime({ address: `unix://${config.kata.containerdSocket.replace(/^unix:\/\//, "")}`, namespace: "hypercell" });
  const runtime = new AgentRuntime({ config, pciBus: new SysfsPciBus({ root: config.agent.sysfsRoot }), sandboxRuntime, ...services });
  return serveUntilSignal(runtime);
}

/** Starts the runtime and stops it cleanly on SIGTERM/SIGINT. Resolves with the exit code. */
export async function serveUntilSignal(runtime: AgentRuntime): Promise<number> {
  try {
    await runtime.start();
  } catch (e) {
    console.error(isAppError(e) ? e.message : e instanceof Error ? e.message : String(e));
    return 1;
  }
  return new Promise<number>((resolve) => {
    const stop = (sig: string) => {
      console.log(`[agent ${runtime.config.agent.id}] ${sig}: shutting down`);
      void runtime.stop().then(() => resolve(0));
    };
    process.once("SIGTERM", () => stop("SIGTERM"));
    process.once("SIGINT", () => stop("SIGINT"));
  });
}
