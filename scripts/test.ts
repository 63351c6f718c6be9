/**
 * npm test: every test, in order of cost.
 *   1. TypeScript check of the whole project
 *   2. Vitest: unit tests, database tests (embedded PostgreSQL, or DATABASE_URL), integration tests
 *      that start their own daemons
 *   3. the database tests again against HYPERCELL_TEST_EXTRA_DATABASE_URL when set (CI: the local server)
 *   4. Playwright in Debian's Chromium against a freshly started console
 * Ends with one line "N passed, N failed" over everything. Extra arguments go to Vitest only and skip
 * the other steps (e.g. `npm test -- server/authz`).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const args = process.argv.slice(2);
const tmp = mkdtempSync(path.join(os.tmpdir(), "hypercell-test-"));
let passed = 0;
let failed = 0;
let skipped = 0;
const steps: string[] = [];

function run(label: string, cmd: string, argv: string[], env: Record<string, string> = {}) {
  console.log(`\n=== ${label}`);
  const r = spawnSync(cmd, argv, { stdio: "inherit", env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", ...env } });
  steps.push(`${r.status === 0 ? "ok  " : "FAIL"} ${label}`);
  return r.status === 0;
}

function vitest(label: string, extra: string[], env: Record<string, string> = {}) {
  const out = path.join(tmp, `${label.replace(/\W+/g, "-")}.json`);
  const ok = run(label, "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...extra], env);
  if (existsSync(out)) {
    const j = JSON.parse(readFileSync(out, "utf8")) as { numPassedTests: number; numFailedTests: number; numPendingTests: number; numTodoTests: number };
    passed += j.numPassedTests;
    failed += j.numFailedTests;
    skipped += j.numPendingTests + j.numTodoTests;
    if (!ok && j.numFailedTests === 0) failed += 1; // a suite that failed to load
  } else if (!ok) failed += 1;
  return ok;
}

let ok = true;
if (args.length) {
  ok = vitest("vitest", args);
} else {
  ok = run("typecheck", "npx", ["tsc", "--noEmit", "-p", "."]) && ok;
  if (!steps[0]!.startsWith("ok")) failed += 1;
  ok = vitest("vitest (unit, db, it)", []) && ok;
  const extra = process.env.HYPERCELL_TEST_EXTRA_DATABASE_URL;
  if (extra) ok = vitest("vitest db against HYPERCELL_TEST_EXTRA_DATABASE_URL", ["--project", "db"], { DATABASE_URL: extra }) && ok;
  const pwOut = path.join(tmp, "playwright.json");
  const e2eOk = run("playwright e2e (Chromium)", "npx", ["playwright", "test", "--reporter=list,json"], { PLAYWRIGHT_JSON_OUTPUT_NAME: pwOut });
  ok = e2eOk && ok;
  if (existsSync(pwOut)) {
    const s = (JSON.parse(readFileSync(pwOut, "utf8")) as { stats: { expected: number; unexpected: number; flaky: number; skipped: number } }).stats;
    passed += s.expected + s.flaky;
    failed += s.unexpected;
    skipped += s.skipped;
  } else if (!e2eOk) failed += 1;
}

console.log(`\n${steps.join("\n")}`);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(ok && failed === 0 ? 0 : 1);
