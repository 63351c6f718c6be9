/**
 * Keeps a FakeSandboxRuntime's state in a JSON file, so the "VMs" of a simulated host outlive the agent
 * process as a real host's do: there, a Kata VM is run by its shim (a process of its own) and containerd
 * keeps the container and task records, so a restarted agent re-adopts them from their labels. Here the
 * file plays containerd's metadata store and the shims: images pulled, snapshots, containers (labels,
 * spec, runtime), tasks (pid, status, exit) and the per-method call counters.
 *
 * It is rewritten atomically after every change (a temporary file in the same directory, then rename),
 * so a process killed at any instant leaves the old state or the new one, never half of either. It is
 * not fsynced: it survives the death of the process, not a power cut (a simulated host has none).
 * A file that exists but cannot be used is an error naming the file and what is wrong — starting empty
 * would make the agent forget the VMs still running.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../../errors";
import { MUTATING_METHODS, type FakeRuntimeState, type FakeRuntimeStore } from "../drivers/runtime/fake-sandbox-runtime";

/** The file a simulated host keeps its runtime state in, under its state directory. */
export const SIM_RUNTIME_STATE_FILE = "sim-runtime.json";
export const SIM_RUNTIME_STATE_VERSION = 1;

const ZIso = z.string().refine((s) => !Number.isNaN(Date.parse(s)), "is not an ISO date");
const ZCount = z.number().int().nonnegative();

const ZState = z.strictObject({
  version: z.literal(SIM_RUNTIME_STATE_VERSION),
  namespace: z.string().min(1),
  namespaceCreated: z.boolean(),
  nextPid: z.number().int().positive(),
  images: z.array(z.string().min(1)),
  snapshots: z.array(z.string().min(1)),
  containers: z.array(
    z.strictObject({
      id: z.string().min(1),
      image: z.string().min(1),
      runtime: z.string().min(1),
      labels: z.record(z.string(), z.string()),
      snapshotter: z.string().min(1),
      snapshotKey: z.string().min(1),
      createdAt: ZIso.nullable(),
      spec: z.looseObject({ ociVersion: z.string() }),
    }),
  ),
  tasks: z.array(
    z.strictObject({
      containerId: z.string().min(1),
      pid: z.number().int().positive(),
      status: z.enum(["created", "running", "stopped", "paused", "pausing", "unknown"]),
      exitStatus: z.number().int().nullable(),
      exitedAt: ZIso.nullable(),
      pendingExit: z.number().int().nullable(),
      stdoutPath: z.string(),
    }),
  ),
  calls: z.partialRecord(z.enum(MUTATING_METHODS), ZCount),
});

/** What is inconsistent in a well-formed state (a task without its container, …); null when nothing. */
function inconsistency(s: FakeRuntimeState): string | null {
  const dup = (xs: string[]) => xs.find((x, i) => xs.indexOf(x) !== i);
  const d = dup(s.containers.map((c) => c.id)) ?? dup(s.tasks.map((t) => t.containerId)) ?? dup(s.snapshots);
  if (d !== undefined) return `"${d}" appears twice`;
  const containers = new Set(s.containers.map((c) => c.id));
  const snapshots = new Set(s.snapshots);
  for (const [i, c] of s.containers.entries()) {
    if (!snapshots.has(c.snapshotKey)) return `containers[${i}] ("${c.id}") uses snapshot "${c.snapshotKey}", which is not in snapshots`;
  }
  for (const [i, t] of s.tasks.entries()) {
    if (!containers.has(t.containerId)) return `tasks[${i}] belongs to container "${t.containerId}", which is not in containers`;
    if (t.pid >= s.nextPid) return `tasks[${i}] has pid ${t.pid}, not below nextPid ${s.nextPid}`;
    if ((t.status === "stopped") !== (t.exitStatus !== null)) return `tasks[${i}] ("${t.containerId}") is ${t.status} with exitStatus ${t.exitStatus}`;
  }
  return null;
}

export class FileRuntimeStore implements FakeRuntimeStore {
  readonly file: string;
  private readonly exclusive: boolean;

  /** `exclusive`: the runtime that will write the state claims it (see lock()); readers do not. */
  constructor(file: string, opts: { exclusive?: boolean } = {}) {
    this.file = path.resolve(file);
    this.exclusive = opts.exclusive ?? false;
  }

  /**
   * The saved state; null when the file does not exist yet (a new host). Throws AppError
   * PRECONDITION_FAILED naming the file and the fault when it cannot be read, is not JSON, or is not a
   * consistent runtime state.
   */
  load(): FakeRuntimeState | null {
    if (this.exclusive) this.lock();
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw this.refuse(`cannot be read (${e instanceof Error ? e.message : e})`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw this.refuse(`is not valid JSON (${e instanceof Error ? e.message : e})`);
    }
    const parsed = ZState.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw this.refuse(`is not a simulated runtime state of version ${SIM_RUNTIME_STATE_VERSION} (${issue.path.join(".") || "top level"}: ${issue.message})`);
    }
    const { version: _version, ...state } = parsed.data;
    const wrong = inconsistency(state as FakeRuntimeState);
    if (wrong) throw this.refuse(`is inconsistent: ${wrong}`);
    return state as FakeRuntimeState;
  }

  /**
   * Claims the state for this process with `<file>.lock` holding its pid, so two agents never share one
   * host's VMs (the last writer would silently drop the other's). A lock whose process is gone (an
   * agent killed with SIGKILL) is taken over. Throws PRECONDITION_FAILED naming the live holder.
   */
  private lock(): void {
    const lockFile = `${this.file}.lock`;
    mkdirSync(path.dirname(this.file), { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        writeFileSync(lockFile, `${process.pid}\n`, { flag: "wx" });
        process.once("exit", () => {
          try {
            if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile, { force: true });
          } catch {
            /* already gone */
          }
        });
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw this.refuse(`cannot be locked (${e instanceof Error ? e.message : e})`);
      }
      const holder = Number(readFileSync(lockFile, "utf8").trim());
      if (holder === process.pid) return;
      if (Number.isInteger(holder) && holder > 0 && isAlive(holder)) {
        throw new AppError("PRECONDITION_FAILED", `simulated runtime state ${this.file} is in use by another agent (pid ${holder}); stop it first, or give this agent its own --state-dir`);
      }
      rmSync(lockFile, { force: true }); // stale: its process is gone
    }
    throw this.refuse("cannot be locked (another agent keeps taking the lock)");
  }

  /** Replaces the file with `state`: written to a temporary file beside it, then renamed over it. */
  save(state: FakeRuntimeState): void {
    mkdirSync(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify({ version: SIM_RUNTIME_STATE_VERSION, ...state }, null, 1)}\n`);
    renameSync(tmp, this.file);
  }

  private refuse(what: string): AppError {
    return new AppError(
      "PRECONDITION_FAILED",
      `simulated runtime state ${this.file} ${what}. It records the VMs of this simulated host, running ones included; fix it, or remove it to start the host with no VMs at all`,
    );
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}
