/**
 * SandboxRuntime: what the agent needs from the container runtime to run one kernel VM. In
 * production it is containerd with the Kata shim (io.containerd.kata.v2); the integration tests
 * run the same calls with runc. Every method rejects with an AppError, never a raw gRPC error.
 * Common to all methods: RUNTIME_ERROR when the daemon cannot be reached or refuses for a reason
 * outside the contract, with containerd's own message at the end.
 */

/** A filesystem mount as snapshotters describe it (type overlay, bind, …). */
export interface RuntimeMount {
  type: string;
  source: string;
  target?: string;
  options: string[];
}

/** An OCI runtime spec (config.json); the agent renders it, the runtime passes it through. */
export type OciRuntimeSpec = Record<string, unknown> & { ociVersion: string };

export interface CreateContainerInput {
  id: string;
  /** Image name as recorded in containerd, e.g. "docker.io/library/busybox:latest". */
  image: string;
  /** containerd runtime name: the agent's `kata-runtime-class` resolves to it (tests: io.containerd.runc.v2). */
  runtime: string;
  spec: OciRuntimeSpec;
  labels: Record<string, string>;
  /** The snapshot prepared by prepareRootfs for this container. */
  snapshotKey: string;
}

export interface ContainerInfo {
  id: string;
  image: string;
  runtime: string;
  labels: Record<string, string>;
  snapshotter: string;
  snapshotKey: string;
  createdAt?: Date;
  /**
   * The containerd sandbox (Sandbox API, containerd >= 1.7) the container runs in, when the
   * runtime made one for it; absent on the task-only path. Optional: runtimes without sandboxes
   * never set it.
   */
  sandboxId?: string;
}

export interface StartTaskInput {
  containerId: string;
  /** Absolute paths of files the runtime appends the task's stdout and stderr to (may be the same). */
  stdoutPath: string;
  stderrPath: string;
}

export type TaskStatus = "created" | "running" | "stopped" | "paused" | "pausing" | "unknown";

export interface TaskInfo {
  containerId: string;
  pid: number;
  status: TaskStatus;
  /** Set once the task has stopped. */
  exitStatus?: number;
  exitedAt?: Date;
}

export interface TaskExit {
  /** The process's exit code; 128 + n when it died of signal n. */
  exitStatus: number;
  exitedAt: Date;
}

export type RuntimeEvent =
  | { type: "task-start"; containerId: string; pid: number; at: Date }
  | { type: "task-exit"; containerId: string; pid: number; exitStatus: number; exitedAt: Date; at: Date }
  | { type: "task-oom"; containerId: string; at: Date }
  | { type: "task-delete"; containerId: string; pid: number; exitStatus: number; at: Date };

/** An open event subscription: iterate it; close() ends the iteration. */
export interface RuntimeEventStream extends AsyncIterable<RuntimeEvent> {
  close(): void;
}

export interface SandboxRuntime {
  /**
   * Creates the runtime namespace this runtime works in, if missing; idempotent.
   * Throws RUNTIME_ERROR if containerd refuses.
   */
  ensureNamespace(): Promise<void>;

  /**
   * Unpacks `image` (already in the content store) into committed layer snapshots, then prepares
   * the writable snapshot `snapshotKey` on top and returns its mounts.
   * Throws NOT_FOUND if the image, its manifest for this platform or a blob is missing;
   * CONFLICT if `snapshotKey` already exists; RUNTIME_ERROR with containerd's message if an unpack
   * step fails (unsupported media type, differ error).
   */
  prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]>;

  /**
   * True when the snapshot `snapshotKey` exists (recovery checks what a crashed agent left).
   * Throws RUNTIME_ERROR only when the daemon cannot answer.
   */
  hasRootfs(snapshotKey: string): Promise<boolean>;

  /**
   * Records the container (nothing runs yet).
   * Throws CONFLICT if a container with this id exists; NOT_FOUND if `snapshotKey` was never
   * prepared; BAD_INPUT if containerd rejects the id or labels.
   */
  createContainer(input: CreateContainerInput): Promise<ContainerInfo>;

  /**
   * Returns the container. Throws NOT_FOUND if there is no container with this id.
   */
  getContainer(containerId: string): Promise<ContainerInfo>;

  /**
   * Containers whose labels include every pair of `labels` (all containers for `{}`), for agent
   * restart recovery (session, kernel, PCI labels). Never throws for an empty result.
   */
  listContainers(labels?: Record<string, string>): Promise<ContainerInfo[]>;

  /**
   * Creates the task on the container's rootfs and starts it; returns the task's pid (for Kata,
   * the shim-side pid of the workload, not the VM's).
   * Throws NOT_FOUND if the container does not exist; CONFLICT if it already has a task;
   * RUNTIME_ERROR with the shim's message if the runtime cannot start it (bad spec, missing binary).
   */
  startTask(input: StartTaskInput): Promise<number>;

  /**
   * The container's task. Throws NOT_FOUND if the container has no task.
   */
  getTask(containerId: string): Promise<TaskInfo>;

  /** Every task in the namespace. */
  listTasks(): Promise<TaskInfo[]>;

  /**
   * Resolves when the task exits (at once if it already has). No deadline of its own: pass an
   * AbortSignal to stop waiting (rejects RUNTIME_ERROR "cancelled").
   * Throws NOT_FOUND if the container has no task.
   */
  wait(containerId: string, signal?: AbortSignal): Promise<TaskExit>;

  /**
   * Sends `signal` (a name like "SIGTERM" or a number) to the task's init process, or to every
   * process of the task when `all`. Throws NOT_FOUND if the container has no task or it is gone;
   * PRECONDITION_FAILED if the task is not running (not started yet, already stopped) — the
   * condition as containerd words it.
   */
  kill(containerId: string, signal: NodeJS.Signals | number, opts?: { all?: boolean }): Promise<void>;

  /**
   * Deletes the stopped task and returns its exit. Throws NOT_FOUND if there is no task;
   * PRECONDITION_FAILED if it is still running (kill and wait first).
   */
  deleteTask(containerId: string): Promise<TaskExit>;

  /**
   * Deletes the container record and its rootfs snapshot (layer snapshots stay for reuse).
   * Throws NOT_FOUND if there is no such container; PRECONDITION_FAILED if it still has a task.
   */
  deleteContainer(containerId: string): Promise<void>;

  /**
   * Subscribes to task events (start, exit, OOM, delete) of this namespace. The promise resolves
   * once the subscription is live, so nothing that happens afterwards is missed.
   * Throws RUNTIME_ERROR if the subscription cannot be opened.
   */
  subscribe(): Promise<RuntimeEventStream>;

  /** Releases the connection. Further calls are undefined. */
  close(): void;
}

/** Signal names to numbers (Linux); numbers pass through. */
export function signalNumber(signal: NodeJS.Signals | number): number {
  if (typeof signal === "number") return signal;
  const n = SIGNALS[signal];
  if (n === undefined) throw new Error(`unknown signal ${signal}`);
  return n;
}

// Linux numbering (the runtime is always Linux, whatever runs the agent's tests).
const SIGNALS: Partial<Record<NodeJS.Signals, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGUSR1: 10,
  SIGUSR2: 12,
  SIGTERM: 15,
  SIGCONT: 18,
  SIGSTOP: 19,
};

export const RUNC_RUNTIME = "io.containerd.runc.v2";
export const KATA_RUNTIME = "io.containerd.kata.v2";

/**
 * The containerd runtime name for the agent's `kata-runtime-class`. A runtime class is a CRI idea;
 * containerd's own API takes the shim's runtime name, which it turns into the binary name
 * (io.containerd.kata-clh.v2 → containerd-shim-kata-clh-v2). So "kata" → io.containerd.kata.v2,
 * "kata-clh" → io.containerd.kata-clh.v2, and a full name passes through.
 */
export function runtimeNameFor(runtimeClass: string): string {
  if (/^io\.containerd\.[a-z0-9._-]+\.v\d+$/.test(runtimeClass)) return runtimeClass;
  return `io.containerd.${runtimeClass}.v2`;
}
