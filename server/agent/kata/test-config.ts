// Agent configurations for the kata tests, parsed from TOML like a real agent's.
import { parseAgentConfig, type AgentConfig } from "../config/agent-config";

export const STORAGE_TOML = `
[[kata.storage-mounts]]
fs-type = "nfs4"
source = "storage-server:/exports/vfstore"
mountpoint = "/mnt/vfstore"
options = "vers=4.1,rsize=1048576,wsize=1048576"

[[kata.storage-mounts]]
fs-type = "lustre"
source = "lustre-mgs@tcp:/scratch"
mountpoint = "/mnt/lustre"
`;

/** `[agent]` plus the given `[kata]` keys and storage mounts. */
export function testConfig(kataKeys = "", extra = STORAGE_TOML): AgentConfig {
  return parseAgentConfig(
    `[agent]\ncontroller-address = "10.0.0.5:6100"\nstate-dir = "/var/lib/hypercell/agent"\n\n[kata]\n${kataKeys}\n${extra}`,
    { hostname: "gpu-node-01" },
  );
}
