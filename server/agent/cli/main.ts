// hypercell-agent entry point.
//   hypercell-agent --config agent.toml        run the agent (gRPC server)
//   hypercell-agent <command> [args…]          a one-shot command from ./commands/<command>.ts
// Each command module exports `run(argv: string[]): Promise<number>` (the exit code) and `summary`.
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

type Command = { run: (argv: string[]) => Promise<number>; summary: string };

const commandsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), "commands");

function listCommands(): string[] {
  return readdirSync(commandsDir)
    .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
    .map((f) => f.replace(/\.ts$/, ""))
    .sort();
}

async function load(name: string): Promise<Command> {
  return (await import(pathToFileURL(path.join(commandsDir, `${name}.ts`)).href)) as Command;
}

async function usage(): Promise<string> {
  const lines = ["usage: hypercell-agent --config FILE | hypercell-agent <command> [args…]", "", "commands:"];
  for (const name of listCommands()) lines.push(`  ${name.padEnd(12)} ${(await load(name)).summary}`);
  return lines.join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    console.log(await usage());
    return first === undefined ? 2 : 0;
  }
  const name = first.startsWith("--") ? "serve" : first;
  if (!listCommands().includes(name)) {
    console.error(`hypercell-agent: unknown command "${first}"\n\n${await usage()}`);
    return 2;
  }
  return (await load(name)).run(name === "serve" && first !== "serve" ? argv : rest);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`hypercell-agent: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
