// Starts a real etcd (Debian's etcd-server package) on loopback for integration tests, the
// benchmark and local development: free ports, its own temporary data directory, health wait,
// stop and clean up. A missing binary is an error that says what to install — never a skip.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

export interface EtcdServerOptions {
  /** The etcd binary; found on PATH by default. */
  binary?: string;
  /** How long to wait for /health (default 20 s). */
  startTimeoutMs?: number;
  /** Extra flags, e.g. ["--max-txn-ops", "256"]. */
  extraArgs?: string[];
}

export interface EtcdServer {
  /** Client URL, e.g. http://127.0.0.1:40123. */
  readonly endpoint: string;
  readonly dataDir: string;
  readonly pid: number;
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and deletes its data directory. */
  stop(): Promise<void>;
}

export const ETCD_MISSING_MESSAGE =
  "etcd is not installed: the network integration tests and benchmark run a real etcd. Install Debian's etcd-server package (apt-get install -y etcd-server etcd-client) or pass the binary's path.";

/** Checks that the etcd binary runs (looked up on PATH by spawn); throws ETCD_MISSING_MESSAGE otherwise. */
export function findEtcdBinary(binary = "etcd"): string {
  const r = spawnSync(binary, ["--version"], { encoding: "utf8" });
  if (r.error || r.status !== 0) throw new Error(`${ETCD_MISSING_MESSAGE} (tried ${JSON.stringify(binary)}: ${r.error?.message ?? `exit ${r.status}`})`);
  return binary;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === "object" ? resolve(addr.port) : reject(new Error("no port"))));
    });
  });
}

async function healthy(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
    const body = (await res.json()) as { health?: string };
    return res.ok && body.health === "true";
  } catch {
    return false;
  }
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    child.once("exit", () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

async function startOnce(bin: string, options: EtcdServerOptions): Promise<EtcdServer> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dataDir = mkdtempSync(path.join(tmpdir(), "hypercell-etcd-"));
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const args = [
    "--name",
    "hypercell-test",
    "--data-dir",
    dataDir,
    "--listen-client-urls",
    endpoint,
    "--advertise-client-urls",
    endpoint,
    "--listen-peer-urls",
    peer,
    "--initial-advertise-peer-urls",
    peer,
    "--initial-cluster",
    `hypercell-test=${peer}`,
    "--initial-cluster-state",
    "new",
    "--log-level",
    "error",
    ...(options.extraArgs ?? []),
  ];
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  // If the test run dies without calling stop(), do not leave etcd behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-4000);
  });
  const cleanup = () => {
    process.removeListener("exit", killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const deadline = Date.now() + (options.startTimeoutMs ?? 20_000);
  let spawnError: Error | undefined;
  child.once("error", (e) => (spawnError = e));
  while (Date.now() < deadline) {
    if (spawnError) {
      cleanup();
      throw new Error(`${ETCD_MISSING_MESSAGE} (${spawnError.message})`);
    }
    if (child.exitCode !== null) {
      cleanup();
      throw new Error(`etcd exited with code ${child.exitCode} during start: ${stderr.trim() || "(no output)"}`);
    }
    if (await healthy(endpoint)) {
      return {
        endpoint,
        dataDir,
        pid: child.pid!,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) {
            child.kill("SIGTERM");
            if (!(await waitExit(child, 5000))) {
              child.kill("SIGKILL");
              await waitExit(child, 5000);
            }
          }
          cleanup();
        },
      };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill("SIGKILL");
  await waitExit(child, 5000);
  cleanup();
  throw new Error(`etcd did not become healthy at ${endpoint} within ${options.startTimeoutMs ?? 20_000} ms: ${stderr.trim() || "(no output)"}`);
}

/**
 * Starts etcd on 127.0.0.1 with free ports. Rejects with ETCD_MISSING_MESSAGE when the binary is
 * absent, or with etcd's own output when it fails to start. Retries once if a port was taken
 * between choosing and binding it.
 */
export async function startEtcdServer(options: EtcdServerOptions = {}): Promise<EtcdServer> {
  const bin = findEtcdBinary(options.binary);
  try {
    return await startOnce(bin, options);
  } catch (e) {
    if (e instanceof Error && /address already in use/i.test(e.message)) return startOnce(bin, options);
    throw e;
  }
}
