// `hypercell-agent config sample | check FILE`: print a commented configuration, or validate one the way
// the agent does at start, with every problem named by key, line, value and what is allowed.
import { loadAgentConfig } from "../../config/agent-config";
import { renderSampleConfig } from "../../config/sample-config";
import { isAppError } from "../../../errors";
import type { CommandIo } from "./inventory";

export const summary = "print a commented sample configuration, or check a configuration file";

const USAGE = `usage: hypercell-agent config sample
       hypercell-agent config check FILE [--json]

  sample        print a commented agent.toml with every key and its default
  check FILE    validate FILE as the agent does at start; --json prints the effective configuration`;

export async function configCommand(argv: string[], io: CommandIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    (sub === undefined ? io.err : io.out)(`${USAGE}\n`);
    return sub === undefined ? 2 : 0;
  }
  if (sub === "sample") {
    if (rest.length > 0) {
      io.err(`hypercell-agent config sample: unexpected argument ${JSON.stringify(rest[0])}\n`);
      return 2;
    }
    io.out(renderSampleConfig());
    return 0;
  }
  if (sub === "check") {
    const json = rest.includes("--json");
    const files = rest.filter((a) => a !== "--json");
    if (files.length !== 1 || files[0]!.startsWith("--")) {
      io.err(`hypercell-agent config check: give exactly one FILE\n${USAGE}\n`);
      return 2;
    }
    const file = files[0]!;
    try {
      const cfg = await loadAgentConfig(file);
      for (const w of cfg.warnings) io.err(`warning: ${w}\n`);
      if (json) io.out(`${JSON.stringify(cfg, null, 2)}\n`);
      else {
        io.out(
          `${file}: ok — agent ${cfg.agent.id} in resource group ${cfg.agent.resourceGroup}, controller ${cfg.agent.controllerAddress}, ` +
            `${cfg.kata.hypervisor}${cfg.kata.confidentialGuest ? ` with ${cfg.kata.guestAttestation}` : " without TEE"}, up to ${cfg.kata.maxGpusPerVm} GPUs per VM\n`,
        );
      }
      return 0;
    } catch (err) {
      if (isAppError(err) && err.code === "CONFIG_INVALID") {
        io.err(`${err.message}\n`);
        return 1;
      }
      throw err;
    }
  }
  io.err(`hypercell-agent config: unknown subcommand ${JSON.stringify(sub)}\n${USAGE}\n`);
  return 2;
}

export async function run(argv: string[]): Promise<number> {
  return configCommand(argv, { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) });
}
