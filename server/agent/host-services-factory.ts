/**
 * Picks the implementations of the agent's host services (preflight, VFIO binder) for a config.
 * Filled in as those drivers land; an agent without a binder answers bind requests with a clear
 * FAILED_PRECONDITION instead of pretending.
 */
import type { AgentConfig } from "./config/agent-config";
import type { GpuBinder, Preflight } from "./host-services";

export async function hostServices(_config: AgentConfig, _opts: { simulated: boolean }): Promise<{ binder?: GpuBinder; preflight?: Preflight }> {
  return {};
}
