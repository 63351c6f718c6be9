// Starts a private containerd (Debian's containerd and runc packages) for integration tests and
// local development: its own root, state and socket directories under one temp dir, the CRI
// plugin off, no debug or metrics listeners, so it never touches a host's own containerd. Stop
// kills it, unmounts whatever it left mounted under its dirs and removes the temp dir. A missing
// binary is an error that says what to install — never a skip.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { containerdServices } from "../../../proto/containerd/load";

export interface ContainerdDaemonOptions {
  /** The containerd binary; found on PATH by default. */
  binary?: string;
  /** How long to wait for the socket to answer (default 15 s). */
  startTimeoutMs?: number;
  /** Parent of the temp dir (default: the OS temp dir). Socket paths must stay under 108 bytes. */
  baseDir?: string;
}

export interface ContainerdDaemon {
  /** gRPC address, e.g. unix:///tmp/hypercell-containerd-abc/containerd.sock */
  readonly address: string;
  readonly socketPath: string;
  readonly rootDir: string;
  readonly stateDir: string;
  /** A private runc state root for runcTaskOptions(), so tasks never meet the host's runc state. */
  readonly runcRoot: string;
  /** A cgroup parent for this daemon's tasks (use "/<cgroupParent>/<id>"); stop() removes it. */
  readonly cgroupParent: string;
  readonly pid: number;
  /** containerd's stderr so far (last 16 KiB), for failure messages. */
  log(): string;
  /** SIGTERM (then SIGKILL after 5 s), unmount leftovers, kill leftover shims, delete the dirs. */
  stop(): Promise<void>;
}

export const CONTAINERD_MISSING_MESSAGE =
  "containerd is not installed: the runtime integration tests start a private containerd and run tasks with runc. Install Debian's packages (apt-get install -y containerd runc) or pass the binary's path.";

/** Checks that containerd and runc run; throws CONTAINERD_MISSING_MESSAGE otherwise. */
export function findContainerdBinary(binary = "containerd"): string {
  for (const [bin, args] of [
    [binary, ["--version"]],
    ["runc", ["--version"]],
  ] as const) {
    const r = spawnSync(bin, args, { encoding: "utf8" });
    if (r.error || r.status !== 0) throw new Error(`${CONTAINERD_MISSING_MESSAGE} (tried ${JSON.stringify(bin)}: ${r.error?.message ?? `exit ${r.status}`})`);
  }
  return binary;
}

/** The daemon's config: TOML, version 2. Kept tiny on purpose — everything else is default. */
export function renderContainerdConfig(dirs: { root: string; state: string; socket: string; ttrpcSocket: string }): string {
  const q = (s: string) => JSON.stringify(s);
  return [
    "version = 2",
    `root = ${q(dirs.root)}`,
    `state = ${q(dirs.state)}`,
    // CRI would want CNI and a pause image; we drive containerd's own API only.
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    "",
    "[grpc]",
    `  address = ${q(dirs.socket)}`,
    "",
    "[ttrpc]",
    `  address = ${q(dirs.ttrpcSocket)}`,
    "",
    // Empty addresses: no debug socket, no metrics port that could collide with another daemon.
    "[debug]",
    '  address = ""',
    '  level = "warn"',
    "",
    "[metrics]",
    '  address = ""',
    "",
  ].join("\n");
}

async function answers(address: string): Promise<boolean> {
  const { version } = containerdServices();
  const client = new version(address, grpc.credentials.createInsecure());
  try {
    return await new Promise<boolean>((resolve) => {
      client.Version({}, { deadline: Date.now() + 1000 }, (err) => resolve(!err));
    });
  } finally {
    client.close();
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

/** Mount points at or under `dir`, deepest first (so nested mounts come off before their parents). */
export function mountsUnder(dir: string, mountinfo = readFileSync("/proc/self/mountinfo", "utf8")): string[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  const out: string[] = [];
  for (const line of mountinfo.split("\n")) {
    const mp = line.split(" ")[4];
    if (!mp) continue;
    const p = unescape(mp);
    if (p === dir || p.startsWith(dir + "/")) out.push(p);
  }
  return out.sort((a, b) => b.length - a.length);
}

function pids(args: string[]): number[] {
  const r = spawnSync("pgrep", args, { encoding: "utf8" });
  return (r.stdout ?? "")
    .split("\n")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

/**
 * Shims outlive their daemon by design (that is how tasks survive a containerd restart). Ours are
 * the ones whose -address is our socket; their children are the tasks they reap.
 */
function leftoverProcesses(socketPath: string): number[] {
  const shims = pids(["-f", `containerd-shim.*-address ${socketPath.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}( |$)`]);
  return [...shims.flatMap((shim) => pids(["-P", String(shim)])), ...shims];
}

/**
 * runc removes a task's own cgroup but not the parent it was created under; remove ours, deepest
 * first, in every v1 hierarchy and in the v2 tree. rmdir only succeeds on empty cgroups, so a
 * still-running process is never affected.
 */
function removeCgroups(parent: string, fsRoot = "/sys/fs/cgroup"): void {
  const candidates = [path.join(fsRoot, parent)];
  try {
    for (const e of readdirSync(fsRoot, { withFileTypes: true })) if (e.isDirectory()) candidates.push(path.join(fsRoot, e.name, parent));
  } catch {
    return;
  }
  const removeTree = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) if (e.isDirectory()) removeTree(path.join(dir, e.name));
    try {
      rmdirSync(dir);
    } catch {
      /* busy or gone */
    }
  };
  for (const c of candidates) removeTree(c);
}

/**
 * Starts containerd with its own directories and waits until its socket answers the Version RPC.
 * Rejects with CONTAINERD_MISSING_MESSAGE when containerd or runc is absent, or with containerd's
 * own output when it fails to start.
 */
export async function startContainerdDaemon(options: ContainerdDaemonOptions = {}): Promise<ContainerdDaemon> {
  const bin = findContainerdBinary(options.binary);
  const base = mkdtempSync(path.join(options.baseDir ?? tmpdir(), "hypercell-containerd-"));
  const dirs = {
    root: path.join(base, "root"),
    state: path.join(base, "state"),
    socket: path.join(base, "containerd.sock"),
    ttrpcSocket: path.join(base, "containerd-ttrpc.sock"),
  };
  const configPath = path.join(base, "config.toml");
  writeFileSync(configPath, renderContainerdConfig(dirs));
  const address = `unix://${dirs.socket}`;
  const cgroupParent = path.basename(base);
  const child = spawn(bin, ["--config", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (b: Buffer) => {
    stderr = (stderr + b.toString()).slice(-16_384);
  });
  // If the test run dies without calling stop(), do not leave the daemon behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let spawnError: Error | undefined;
  child.once("error", (e) => (spawnError = e));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      if (!(await waitExit(child, 5000))) {
        child.kill("SIGKILL");
        await waitExit(child, 5000);
      }
    }
    process.removeListener("exit", killOnExit);
    // Tasks a test did not delete: runc delete -f kills them and removes their cgroups.
    const runcRoot = path.join(base, "runc");
    for (const ns of existsSync(runcRoot) ? readdirSync(runcRoot) : []) {
      const root = path.join(runcRoot, ns);
      const ids = spawnSync("runc", ["--root", root, "list", "-q"], { encoding: "utf8" }).stdout ?? "";
      for (const id of ids.split("\n").filter(Boolean)) {
        spawnSync("runc", ["--root", root, "delete", "-f", id]);
        // A shim killed below cannot remove its socket, which containerd 1.6 keeps outside our
        // dirs: /run/containerd/s/sha256(<daemon socket>/<namespace>/<id>).
        rmSync(path.join("/run/containerd/s", createHash("sha256").update(path.join(dirs.socket, ns, id)).digest("hex")), { force: true });
      }
    }
    for (const pid of leftoverProcesses(dirs.socket)) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
    removeCgroups(cgroupParent);
    // Shims and snapshotters leave overlay, rootfs and shm mounts; rm -rf would fail (EBUSY) or,
    // worse, delete through a bind mount. Lazy-unmount everything first.
    for (const mp of mountsUnder(base)) spawnSync("umount", ["-l", mp]);
    rmSync(base, { recursive: true, force: true });
  };

  const timeoutMs = options.startTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (spawnError) {
      await stop();
      throw new Error(`${CONTAINERD_MISSING_MESSAGE} (${spawnError.message})`);
    }
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`containerd exited with code ${child.exitCode} during start: ${stderr.trim() || "(no output)"}`);
    }
    if (await answers(address)) {
      return { address, socketPath: dirs.socket, rootDir: dirs.root, stateDir: dirs.state, runcRoot: path.join(base, "runc"), cgroupParent, pid: child.pid!, log: () => stderr, stop };
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`containerd did not answer at ${address} within ${timeoutMs} ms: ${stderr.trim() || "(no output)"}`);
}
