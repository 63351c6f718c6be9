/**
 * npm start: everything a newcomer needs, with nothing else installed.
 *   1. PostgreSQL: DATABASE_URL when set, else an embedded PostgreSQL 18 under .hypercell/pg
 *   2. migrations (WASM schema engine, no download), demo data on first start
 *   3. the console: `next build` when the build is missing or older than the sources, then `next start`
 * Prints the sign-in details of the demo users. Ctrl-C stops everything it started.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { resolveDatabase } from "../server/db/embedded.ts";
import { applyMigrations } from "../server/db/migrate.ts";

const started = Date.now();
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
// HYPERCELL_STATE_DIR (default .hypercell) holds the embedded database, the auth secret and the demo passwords.
const stateDir = path.resolve(process.env.HYPERCELL_STATE_DIR ?? ".hypercell");
mkdirSync(stateDir, { recursive: true });
const log = (msg: string) => console.log(`[hypercell] ${msg}`);

function readOrCreate(file: string, make: () => string): string {
  const p = path.join(stateDir, file);
  if (existsSync(p)) return readFileSync(p, "utf8").trim();
  const v = make();
  writeFileSync(p, v + "\n", { mode: 0o600 });
  return v;
}

function newestMtime(dir: string): number {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === "node_modules" || entry.name.startsWith(".")) continue;
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsStale(): boolean {
  const buildId = path.resolve(".next/BUILD_ID");
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(
    ...["app", "components", "server", "lib", "trpc", "public"].map((d) => newestMtime(path.resolve(d))),
    ...["next.config.mjs", "package.json", "postcss.config.mjs", "tsconfig.json"].filter(existsSync).map((f) => statSync(f).mtimeMs),
  );
  return sources > built;
}

const secret = process.env.HYPERCELL_AUTH_SECRET ?? readOrCreate("auth-secret", () => randomBytes(32).toString("hex"));
const passwords = JSON.parse(
  readOrCreate("demo-credentials.json", () =>
    JSON.stringify({ admin: randomBytes(9).toString("base64url"), owner: randomBytes(9).toString("base64url"), auditor: randomBytes(9).toString("base64url"), member: randomBytes(9).toString("base64url") }),
  ),
);

const require = createRequire(import.meta.url);
const db = await resolveDatabase({ dataDir: path.join(stateDir, "pg") });
log(`database: ${db.kind === "embedded" ? `embedded PostgreSQL 18 (${path.relative(process.cwd(), path.join(stateDir, "pg")) || "."})` : "DATABASE_URL"}`);
const applied = await applyMigrations(db.url);
log(applied.length ? `applied migrations: ${applied.join(", ")}` : "migrations: up to date");

const childEnv = {
  ...process.env,
  DATABASE_URL: db.url,
  HYPERCELL_AUTH_SECRET: secret,
  HYPERCELL_PUBLIC_URL: process.env.HYPERCELL_PUBLIC_URL ?? `http://localhost:${port}`,
  NEXT_TELEMETRY_DISABLED: "1",
  CHECKPOINT_DISABLE: "1",
};

// Seed through the app's own code path (audited, hashed with better-auth).
{
  process.env.DATABASE_URL = db.url;
  process.env.HYPERCELL_AUTH_SECRET = secret;
  const { createDb } = await import("../server/db.ts");
  const { seedDemo, DEMO_USERS } = await import("../server/db/seed.ts");
  const client = createDb(db.url);
  const { seeded } = await seedDemo(client, passwords);
  const demoPresent = await client.user.count({ where: { email: { in: Object.values(DEMO_USERS).map((u) => u.email) } } });
  await client.$disconnect();
  if (seeded) log("seeded demo data: users, projects vision-lab and nlp-research, resource groups gpu-kata, gpu-kata-dev, cpu-kata");
  (globalThis as { demoPresent?: boolean }).demoPresent = demoPresent > 0 && (seeded || db.kind === "embedded");
}

const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
if (!dev && buildIsStale()) {
  log("building the console (first start or sources changed; about a minute)…");
  const b = spawnSync(process.execPath, [nextBin, "build"], { stdio: ["ignore", "inherit", "inherit"], env: { ...childEnv, NODE_ENV: "production" } });
  if (b.status !== 0) {
    console.error("[hypercell] next build failed; see the output above.");
    await db.stop();
    process.exit(1);
  }
}

const children: ChildProcess[] = [];
// Services run in node itself with tsx's loader (not the tsx CLI, which runs them in a grandchild):
// a signal reaches the service, and its exit is the service's own, so shutdown waits for it.

// The controller (agent registry, ingest, sweepers) and the simulated GPU hosts: separate processes
// speaking the real gRPC protocol. HYPERCELL_SIM_HOSTS="" runs none (a site with real hosts).
const joinToken = process.env.HYPERCELL_JOIN_TOKEN ?? readOrCreate("join-token", () => randomBytes(24).toString("hex"));
const controllerListen = process.env.HYPERCELL_CONTROLLER_LISTEN ?? "127.0.0.1:6000";
function spawnService(name: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  const prefix = (b: Buffer) =>
    b
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((l) => (l.startsWith("[") ? l : `[${name}] ${l}`))
      .join("\n") + "\n";
  child.stdout!.on("data", (b: Buffer) => process.stdout.write(prefix(b)));
  child.stderr!.on("data", (b: Buffer) => process.stderr.write(prefix(b)));
  children.push(child);
  return child;
}
// Calico's datastore: HYPERCELL_CALICO_ETCD_ENDPOINTS, or a private etcd when the machine has one
// (Debian's etcd-server); without either, policy is rendered and verified but not written.
let etcdStop: (() => Promise<void>) | null = null;
if (!(childEnv as Record<string, string | undefined>).HYPERCELL_CALICO_ETCD_ENDPOINTS && process.env.HYPERCELL_ETCD !== "off") {
  try {
    const { startEtcdServer } = await import("../server/agent/drivers/network/etcd-server.ts");
    const etcd = await startEtcdServer();
    etcdStop = () => etcd.stop();
    (childEnv as Record<string, string>).HYPERCELL_CALICO_ETCD_ENDPOINTS = etcd.endpoint;
    log(`Calico datastore: a private etcd on ${etcd.endpoint}`);
  } catch {
    log("no etcd on this machine: network policy is rendered and verified, not written (install etcd-server, or set HYPERCELL_CALICO_ETCD_ENDPOINTS)");
  }
}
spawnService("controller", ["server/controller/main.ts"], { ...childEnv, HYPERCELL_JOIN_TOKEN: joinToken, HYPERCELL_CONTROLLER_LISTEN: controllerListen });
const simHosts = (process.env.HYPERCELL_SIM_HOSTS ?? "hgx-h100,pcie-4gpu,cpu-only").split(",").map((s) => s.trim()).filter(Boolean);
// HYPERCELL_SIM_FAULTS="pcie-4gpu=refuse-unbind:0000:c1:00.1;…" injects kernel faults into simulated hosts.
const simFaults = (process.env.HYPERCELL_SIM_FAULTS ?? "").split(";").map((s) => s.trim()).filter(Boolean);
for (const host of simHosts) {
  const faults = simFaults.filter((f) => f.startsWith(`${host}=`)).flatMap((f) => ["--fault", f.slice(host.length + 1)]);
  spawnService(`sim ${host}`, ["server/agent/cli/main.ts", "sim", "--host", host, "--controller", controllerListen, "--join-token", joinToken, "--state-dir", path.join(stateDir, "sim", host), ...faults], {
    ...process.env,
    NODE_ENV: "production",
  });
}
const web = spawn(process.execPath, [nextBin, dev ? "dev" : "start", "-p", String(port), "-H", process.env.HOST ?? "0.0.0.0"], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...childEnv, NODE_ENV: dev ? "development" : "production" },
});
children.push(web);
web.stdout!.on("data", (b: Buffer) => process.stdout.write(b));

async function waitForHealth() {
  for (let i = 0; i < 600; i++) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (r.ok) return true;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

if (await waitForHealth()) {
  const url = childEnv.HYPERCELL_PUBLIC_URL;
  const lines = [
    "",
    `  Hypercell console ready on ${url}  (${((Date.now() - started) / 1000).toFixed(1)} s)`,
    "",
  ];
  if (simHosts.length) lines.push(`  Simulated GPU hosts: ${simHosts.join(", ")} (agents joining the controller on ${controllerListen})`, "");
  if ((globalThis as { demoPresent?: boolean }).demoPresent) {
    lines.push(
      `  Demo sign-in (passwords kept in ${path.relative(process.cwd(), path.join(stateDir, "demo-credentials.json"))}):`,
      `    admin          admin@hypercell.local     ${passwords.admin}`,
      `    project owner  owner@hypercell.local     ${passwords.owner}`,
      `    auditor        auditor@hypercell.local   ${passwords.auditor}`,
      `    project member member@hypercell.local    ${passwords.member}`,
      "",
    );
  }
  console.log(lines.join("\n"));
} else {
  console.error("[hypercell] the console did not answer on /api/health within 2 minutes.");
}

let stopping = false;
async function shutdown(code = 0) {
  if (stopping) return;
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once("exit", r)))));
  await etcdStop?.().catch(() => {});
  await db.stop();
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
for (const c of children.filter((c) => c !== web)) {
  c.on("exit", (code, signal) => {
    if (!stopping && code !== 0) console.error(`[hypercell] a background service exited (${code ?? signal}); the console keeps running.`);
  });
}
web.on("exit", (code) => {
  if (!stopping) {
    console.error(`[hypercell] the console exited (${code}); stopping.`);
    void shutdown(code ?? 1);
  }
});
