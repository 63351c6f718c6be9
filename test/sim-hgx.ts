/**
 * For database tests that run the controller in-process with a simulated HGX host: the host's fake
 * sysfs tree (from the real captures, optionally altered), its agent.toml, and agents built on them.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { AgentRuntime, type AgentRuntimeOptions } from "../server/agent/runtime";
import { parseAgentConfig } from "../server/agent/config/agent-config";
import { buildFakeSysfs, type FakeHostSpec } from "../server/agent/drivers/pci/fake-sysfs";
import { SysfsPciBus } from "../server/agent/drivers/pci/sysfs-pci-bus";
import { getSimHost } from "../server/agent/sim/hosts";
import { freePort } from "./free-port";

export interface SimHgx {
  /** The fake sysfs root. */
  root: string;
  /** agent.toml for the host (controller address, join token, state dir, sysfs root, 1 s heartbeats). */
  toml: string;
  /** A new agent on the host; `extraToml` is appended (e.g. [[kata.storage-mounts]]). Not started. */
  agent(opts: { sandboxRuntime: AgentRuntimeOptions["sandboxRuntime"]; extraToml?: string; log?: (m: string) => void }): AgentRuntime;
}

export async function simHgx(dir: string, controller: { address: string; token: string }, alter: (spec: FakeHostSpec) => FakeHostSpec = (s) => s): Promise<SimHgx> {
  const root = path.join(dir, "hgx");
  mkdirSync(root, { recursive: true });
  buildFakeSysfs(alter(getSimHost("hgx-h100")!), root);
  const toml = [
    "[agent]",
    `id = "hgx-h100"`,
    `resource-group = "gpu-kata"`,
    `listen-address = "127.0.0.1:${await freePort()}"`,
    `controller-address = "${controller.address}"`,
    `join-token = "${controller.token}"`,
    `state-dir = "${dir}/state"`,
    `sysfs-root = "${root}"`,
    "heartbeat-interval = 1",
    "",
    "[kata]",
    "confidential-guest = true",
    "",
  ].join("\n");
  return {
    root,
    toml,
    agent: ({ sandboxRuntime, extraToml = "", log = () => {} }) =>
      new AgentRuntime({ config: parseAgentConfig(toml + extraToml), pciBus: new SysfsPciBus({ root }), sandboxRuntime, host: { vcpus: 224, memoryBytes: 2048 * 2 ** 30, confidentialCapability: "tdx", simulated: true }, log }),
  };
}
