// Real captures live beside the checkout in ../shared/fixtures/real (read-only). Tests read them in
// place; HYPERCELL_FIXTURES overrides the location.
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

export const realFixturesDir = process.env.HYPERCELL_FIXTURES ?? path.resolve(repoRoot, "../shared/fixtures/real");

/** Absolute path of a file under fixtures/real; throws with a clear message when it is missing. */
export function realFixture(...parts: string[]): string {
  const p = path.join(realFixturesDir, ...parts);
  if (!existsSync(p)) throw new Error(`real fixture missing: ${parts.join("/")} (looked in ${realFixturesDir}; set HYPERCELL_FIXTURES)`);
  return p;
}
