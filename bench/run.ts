// `npm run bench -- <name> [args…]` runs bench/<name>.ts. Each benchmark prints its figures next to a
// baseline measured in the same run; none of them is a pass/fail test.
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";

const dir = path.dirname(fileURLToPath(import.meta.url));
const available = readdirSync(dir)
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.endsWith(".test.ts"))
  .map((f) => f.replace(/\.ts$/, ""))
  .sort();
const [name, ...rest] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- <name>\n${name ? `unknown benchmark "${name}"; ` : ""}available: ${available.join(", ")}`);
  process.exit(2);
}
const file = path.join(dir, `${name}.ts`);
if (!existsSync(file)) process.exit(2);
const mod = (await import(pathToFileURL(file).href)) as { main?: (args: string[]) => Promise<void> };
if (typeof mod.main !== "function") {
  console.error(`bench/${name}.ts must export async function main(args: string[])`);
  process.exit(2);
}
await mod.main(rest);
