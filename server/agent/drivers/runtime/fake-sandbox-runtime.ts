// An in-memory SandboxRuntime for the Kata-only paths (no Kata shim exists on CI machines). It
// records every call, takes injectable errors per method, and "runs" a task by interpreting its
// spec's shell command just enough for the contract suite: `echo …` writes to stdout, `exit n`
// ends with n, `sleep`/`wait` keeps it running until killed. The contract suite holds it honest
// against the real containerd driver.
//
// Its state can outlive the process: give it a FakeRuntimeStore and it starts from what the store
// loads and hands the store its whole state (FakeRuntimeState, plain JSON) after every change, as
// containerd's metadata store and a shim-run VM outlive a restarted agent. It also counts the calls
// of its mutating methods (part of that state, so a count spans processes).
import { appendFileSync, closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import { AppError } from "../../../errors";
import {
  signalNumber,
  type ContainerInfo,
  type CreateContainerInput,
  type RuntimeEvent,
  type RuntimeEventStream,
  type RuntimeMount,
  type SandboxRuntime,
  type StartTaskInput,
  type TaskExit,
  type TaskInfo,
  type TaskStatus,
} from "./sandbox-runtime";

export type MethodName = Exclude<keyof SandboxRuntime, "close">;

/** The methods that change the runtime; each call of one is counted (see callCount). */
export const MUTATING_METHODS = ["ensureNamespace", "prepareRootfs", "createContainer", "deleteContainer", "startTask", "kill", "deleteTask"] as const;
export type MutatingMethod = (typeof MUTATING_METHODS)[number];

/**
 * Everything a FakeSandboxRuntime holds that a runtime daemon would keep across a client's restart,
 * as plain JSON (dates as ISO strings). Waiters and event subscribers belong to a process and are not
 * part of it; a task whose exit was pending (killed, or a command that ends) keeps `pendingExit`.
 */
export interface FakeRuntimeState {
  namespace: string;
  namespaceCreated: boolean;
  nextPid: number;
  images: string[];
  snapshots: string[];
  containers: Array<{ id: string; image: string; runtime: string; labels: Record<string, string>; snapshotter: string; snapshotKey: string; createdAt: string | null; spec: CreateContainerInput["spec"] }>;
  tasks: Array<{ containerId: string; pid: number; status: TaskStatus; exitStatus: number | null; exitedAt: string | null; pendingExit: number | null; stdoutPath: string }>;
  /** Calls of each mutating method, including calls that were refused. */
  calls: Partial<Record<MutatingMethod, number>>;
}

/** Where a FakeSandboxRuntime keeps its state between processes (see FileRuntimeStore). */
export interface FakeRuntimeStore {
  /** The state to start from, or null when there is none yet. Throws when it exists but cannot be used. */
  load(): FakeRuntimeState | null;
  /** Called synchronously after every change with the whole state. */
  save(state: FakeRuntimeState): void;
}

export interface FakeCall {
  method: MethodName;
  args: unknown[];
}

interface FakeTask {
  info: TaskInfo;
  exit?: TaskExit;
  waiters: Array<(e: TaskExit) => void>;
  /** The exit status a scheduled finish will give it (a kill, or a command that ends by itself). */
  pendingExit?: number;
  stdoutPath: string;
}

const isMutating = (m: MethodName): m is MutatingMethod => (MUTATING_METHODS as readonly string[]).includes(m);

export class FakeSandboxRuntime implements SandboxRuntime {
  readonly calls: FakeCall[] = [];
  readonly namespace: string;
  private readonly images = new Set<string>();
  private readonly snapshots = new Set<string>();
  private readonly containers = new Map<string, ContainerInfo & { spec: CreateContainerInput["spec"] }>();
  private readonly tasks = new Map<string, FakeTask>();
  private readonly subscribers = new Set<(e: RuntimeEvent) => void>();
  private readonly failures = new Map<MethodName, AppError[]>();
  private namespaceCreated = false;
  private nextPid = 1000;
  private readonly counts = new Map<MutatingMethod, number>();
  private readonly store: FakeRuntimeStore | null;

  constructor(opts: { namespace?: string; images?: string[]; store?: FakeRuntimeStore } = {}) {
    this.namespace = opts.namespace ?? "hypercell";
    this.store = opts.store ?? null;
    const saved = this.store?.load();
    if (saved) this.restore(saved);
    for (const i of opts.images ?? []) this.images.add(i);
    if (this.store && (!saved || (opts.images ?? []).some((i) => !saved.images.includes(i)))) this.changed();
  }

  /** Makes `image` resolvable, as an import would. */
  addImage(image: string): void {
    this.images.add(image);
    this.changed();
  }

  protected hasImage(image: string): boolean {
    return this.images.has(image);
  }

  /** How often `method` was called, over every process that shared this runtime's store. */
  callCount(method: MutatingMethod): number {
    return this.counts.get(method) ?? 0;
  }

  /** The whole state, as the store receives it. */
  snapshotState(): FakeRuntimeState {
    return {
      namespace: this.namespace,
      namespaceCreated: this.namespaceCreated,
      nextPid: this.nextPid,
      images: [...this.images],
      snapshots: [...this.snapshots],
      containers: [...this.containers.values()].map((c) => ({ id: c.id, image: c.image, runtime: c.runtime, labels: { ...c.labels }, snapshotter: c.snapshotter, snapshotKey: c.snapshotKey, createdAt: c.createdAt?.toISOString() ?? null, spec: c.spec })),
      tasks: [...this.tasks.values()].map((t) => ({
        containerId: t.info.containerId,
        pid: t.info.pid,
        status: t.info.status,
        exitStatus: t.exit?.exitStatus ?? null,
        exitedAt: t.exit?.exitedAt.toISOString() ?? null,
        pendingExit: t.exit ? null : (t.pendingExit ?? null),
        stdoutPath: t.stdoutPath,
      })),
      calls: Object.fromEntries(this.counts),
    };
  }

  /** Takes over a saved state: what ran keeps running, what was half-made stays half-made. */
  private restore(s: FakeRuntimeState): void {
    if (s.namespace !== this.namespace) throw new AppError("PRECONDITION_FAILED", `the saved runtime state is for containerd namespace "${s.namespace}", not "${this.namespace}"`);
    this.namespaceCreated = s.namespaceCreated;
    this.nextPid = s.nextPid;
    for (const i of s.images) this.images.add(i);
    for (const k of s.snapshots) this.snapshots.add(k);
    for (const c of s.containers) this.containers.set(c.id, { id: c.id, image: c.image, runtime: c.runtime, labels: { ...c.labels }, snapshotter: c.snapshotter, snapshotKey: c.snapshotKey, createdAt: c.createdAt ? new Date(c.createdAt) : undefined, spec: c.spec });
    for (const r of s.tasks) {
      const exit = r.exitStatus !== null ? { exitStatus: r.exitStatus, exitedAt: new Date(r.exitedAt ?? 0) } : undefined;
      const t: FakeTask = { info: { containerId: r.containerId, pid: r.pid, status: r.status, ...(exit ? { exitStatus: exit.exitStatus, exitedAt: exit.exitedAt } : {}) }, exit, waiters: [], stdoutPath: r.stdoutPath };
      this.tasks.set(r.containerId, t);
      if (!exit && r.pendingExit !== null) this.finishSoon(t, r.pendingExit);
    }
    for (const [m, n] of Object.entries(s.calls)) if (isMutating(m as MethodName)) this.counts.set(m as MutatingMethod, n);
  }

  /** Hands the store the new state (a no-op without a store). */
  protected changed(): void {
    this.store?.save(this.snapshotState());
  }

  /** The next call(s) of `method` reject with `error` (queued, one per call). */
  failNext(method: MethodName, error: AppError): void {
    const q = this.failures.get(method) ?? [];
    q.push(error);
    this.failures.set(method, q);
  }

  callsOf(method: MethodName): FakeCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  get namespaceExists(): boolean {
    return this.namespaceCreated;
  }

  /** Records a call (and counts a mutating one), then throws an injected failure if one is queued. */
  protected enter(method: MethodName, args: unknown[]): void {
    this.calls.push({ method, args });
    if (isMutating(method)) {
      this.counts.set(method, this.callCount(method) + 1);
      this.changed();
    }
    const injected = this.failures.get(method)?.shift();
    if (injected) throw injected;
  }

  private emit(e: RuntimeEvent): void {
    for (const s of this.subscribers) s(e);
  }

  async ensureNamespace(): Promise<void> {
    this.enter("ensureNamespace", []);
    if (!this.namespaceCreated) {
      this.namespaceCreated = true;
      this.changed();
    }
  }

  async prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]> {
    this.enter("prepareRootfs", [image, snapshotKey]);
    return this.prepareSnapshot(image, snapshotKey);
  }

  /** prepareRootfs after its call was recorded (a subclass may spend time in between). */
  protected prepareSnapshot(image: string, snapshotKey: string): RuntimeMount[] {
    if (!this.images.has(image)) throw new AppError("NOT_FOUND", `image "${image}" is not in containerd namespace "${this.namespace}"; import or pull it first`);
    if (this.snapshots.has(snapshotKey)) throw new AppError("CONFLICT", `rootfs snapshot "${snapshotKey}" already exists in namespace "${this.namespace}"; use a new key or delete the old container first`);
    this.snapshots.add(snapshotKey);
    this.changed();
    return [{ type: "overlay", source: "overlay", options: [`upperdir=/fake/${snapshotKey}/fs`, `workdir=/fake/${snapshotKey}/work`, "lowerdir=/fake/layers/1/fs"] }];
  }

  async hasRootfs(snapshotKey: string): Promise<boolean> {
    this.enter("hasRootfs", [snapshotKey]);
    return this.snapshots.has(snapshotKey);
  }

  async createContainer(input: CreateContainerInput): Promise<ContainerInfo> {
    this.enter("createContainer", [input]);
    if (this.containers.has(input.id)) throw new AppError("CONFLICT", `container "${input.id}" already exists in containerd namespace "${this.namespace}"; delete it first or choose another id`);
    if (!this.snapshots.has(input.snapshotKey)) throw new AppError("NOT_FOUND", `rootfs snapshot "${input.snapshotKey}" does not exist in namespace "${this.namespace}"; call prepareRootfs before creating container "${input.id}"`);
    const info = { id: input.id, image: input.image, runtime: input.runtime, labels: { ...input.labels }, snapshotter: "overlayfs", snapshotKey: input.snapshotKey, createdAt: new Date() };
    this.containers.set(input.id, { ...info, spec: input.spec });
    this.changed();
    return { ...info, labels: { ...info.labels } };
  }

  private container(id: string, action: string): ContainerInfo & { spec: CreateContainerInput["spec"] } {
    const c = this.containers.get(id);
    if (!c) throw new AppError("NOT_FOUND", `container "${id}" does not exist in namespace "${this.namespace}"; cannot ${action}`);
    return c;
  }

  async getContainer(containerId: string): Promise<ContainerInfo> {
    this.enter("getContainer", [containerId]);
    const { spec: _spec, ...info } = this.container(containerId, "get container");
    return { ...info, labels: { ...info.labels } };
  }

  async listContainers(labels: Record<string, string> = {}): Promise<ContainerInfo[]> {
    this.enter("listContainers", [labels]);
    return [...this.containers.values()]
      .filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v))
      .map(({ spec: _spec, ...info }) => ({ ...info, labels: { ...info.labels } }));
  }

  async deleteContainer(containerId: string): Promise<void> {
    this.enter("deleteContainer", [containerId]);
    const c = this.container(containerId, "delete container");
    const t = this.tasks.get(containerId);
    if (t) throw new AppError("PRECONDITION_FAILED", `container "${containerId}" still has a task (${t.info.status}, pid ${t.info.pid}); kill it, wait for it and delete the task first`);
    this.containers.delete(containerId);
    this.snapshots.delete(c.snapshotKey);
    this.changed();
  }

  /** The labels of a container, without recording a call. Throws NOT_FOUND like getContainer. */
  protected labelsOf(containerId: string): Record<string, string> {
    return { ...this.container(containerId, "get container").labels };
  }

  private task(containerId: string, what: string): FakeTask {
    const t = this.tasks.get(containerId);
    if (!t) throw new AppError("NOT_FOUND", `container "${containerId}" has no task ${what}`);
    return t;
  }

  private finish(t: FakeTask, exitStatus: number): void {
    if (t.exit) return;
    const exit = { exitStatus, exitedAt: new Date() };
    t.exit = exit;
    t.pendingExit = undefined;
    t.info = { ...t.info, status: "stopped", exitStatus, exitedAt: exit.exitedAt };
    if (this.tasks.get(t.info.containerId) === t) this.changed();
    this.emit({ type: "task-exit", containerId: t.info.containerId, pid: t.info.pid, exitStatus, exitedAt: exit.exitedAt, at: exit.exitedAt });
    for (const w of t.waiters.splice(0)) w(exit);
  }

  async startTask(input: StartTaskInput): Promise<number> {
    this.enter("startTask", [input]);
    this.createTask(input);
    return this.runTask(input.containerId);
  }

  /** Ends `t` with `exitStatus` shortly, as a signalled or finishing process does. */
  private finishSoon(t: FakeTask, exitStatus: number): void {
    if (t.pendingExit !== undefined) return; // the first signal decides, as the first timer would
    t.pendingExit = exitStatus;
    setTimeout(() => this.finish(t, exitStatus), 5);
  }

  /**
   * The first half of startTask (containerd's task Create): the task exists with its pid, status
   * "created", nothing runs yet. Throws NOT_FOUND / CONFLICT as startTask does.
   */
  protected createTask(input: StartTaskInput): TaskInfo {
    this.container(input.containerId, "start task");
    if (this.tasks.has(input.containerId)) throw new AppError("CONFLICT", `container "${input.containerId}" already has a task; delete it before starting another`);
    for (const f of new Set([input.stdoutPath, input.stderrPath])) {
      mkdirSync(path.dirname(f), { recursive: true });
      closeSync(openSync(f, "a"));
    }
    const pid = this.nextPid++;
    const t: FakeTask = { info: { containerId: input.containerId, pid, status: "created" }, waiters: [], stdoutPath: input.stdoutPath };
    this.tasks.set(input.containerId, t);
    this.changed();
    return { ...t.info };
  }

  /**
   * The second half (containerd's task Start): runs the created task. Throws RUNTIME_ERROR when the
   * task is gone or no longer "created" (killed or deleted in between).
   */
  protected runTask(containerId: string): number {
    const t = this.tasks.get(containerId);
    if (!t || t.info.status !== "created" || t.exit || t.pendingExit !== undefined) {
      const why = !t ? "no longer exists" : t.exit || t.pendingExit !== undefined ? "was killed before it started" : `is ${t.info.status}`;
      throw new AppError("RUNTIME_ERROR", `the task of container "${containerId}" cannot be started: it ${why}`);
    }
    const c = this.container(containerId, "start task");
    t.info = { ...t.info, status: "running" };
    this.emit({ type: "task-start", containerId, pid: t.info.pid, at: new Date() });
    const outcome = interpretShell((c.spec.process as { args?: string[] } | undefined)?.args ?? []);
    if (outcome.stdout) appendFileSync(t.stdoutPath, outcome.stdout);
    if (outcome.exitStatus !== undefined) this.finishSoon(t, outcome.exitStatus);
    this.changed();
    return t.info.pid;
  }

  /** Removes a created task that never ran, without events (a task Create that failed leaves none). */
  protected discardTask(containerId: string): void {
    const t = this.tasks.get(containerId);
    if (t && t.info.status === "created" && !t.exit) {
      this.tasks.delete(containerId);
      this.changed();
    }
  }

  async getTask(containerId: string): Promise<TaskInfo> {
    this.enter("getTask", [containerId]);
    return { ...this.task(containerId, "").info };
  }

  async listTasks(): Promise<TaskInfo[]> {
    this.enter("listTasks", []);
    return [...this.tasks.values()].map((t) => ({ ...t.info }));
  }

  wait(containerId: string, signal?: AbortSignal): Promise<TaskExit> {
    try {
      this.enter("wait", [containerId]);
      const t = this.task(containerId, "to wait for");
      if (t.exit) return Promise.resolve(t.exit);
      return new Promise((resolve, reject) => {
        t.waiters.push(resolve);
        signal?.addEventListener("abort", () => reject(new AppError("RUNTIME_ERROR", `"wait for task" for container "${containerId}" was cancelled`)), { once: true });
      });
    } catch (e) {
      return Promise.reject(e);
    }
  }

  async kill(containerId: string, signal: NodeJS.Signals | number, opts: { all?: boolean } = {}): Promise<void> {
    this.enter("kill", [containerId, signal, opts]);
    const t = this.task(containerId, "to signal");
    if (t.exit) throw new AppError("NOT_FOUND", `the task of container "${containerId}" has already exited; nothing to signal`);
    this.finishSoon(t, 128 + signalNumber(signal));
    this.changed();
  }

  async deleteTask(containerId: string): Promise<TaskExit> {
    this.enter("deleteTask", [containerId]);
    const t = this.task(containerId, "to delete");
    if (!t.exit) throw new AppError("PRECONDITION_FAILED", `the task of container "${containerId}" is still running (pid ${t.info.pid}); kill it and wait for it before deleting`);
    this.tasks.delete(containerId);
    this.changed();
    this.emit({ type: "task-delete", containerId, pid: t.info.pid, exitStatus: t.exit.exitStatus, at: new Date() });
    return t.exit;
  }

  async subscribe(): Promise<RuntimeEventStream> {
    this.enter("subscribe", []);
    const queue: RuntimeEvent[] = [];
    const waiters: Array<(r: IteratorResult<RuntimeEvent>) => void> = [];
    let closed = false;
    const push = (e: RuntimeEvent) => {
      const w = waiters.shift();
      if (w) w({ value: e, done: false });
      else queue.push(e);
    };
    this.subscribers.add(push);
    const close = () => {
      closed = true;
      queue.length = 0;
      this.subscribers.delete(push);
      for (const w of waiters.splice(0)) w({ value: undefined, done: true });
    };
    return {
      close,
      [Symbol.asyncIterator]: () => ({
        next: () => {
          const e = queue.shift();
          if (e) return Promise.resolve({ value: e, done: false });
          if (closed) return Promise.resolve({ value: undefined, done: true });
          return new Promise<IteratorResult<RuntimeEvent>>((r) => waiters.push(r));
        },
        return: () => {
          close();
          return Promise.resolve({ value: undefined, done: true });
        },
      }),
    };
  }

  close(): void {
    this.subscribers.clear();
  }
}

/**
 * What a `/bin/sh -c "<script>"` would do, for the few commands tests use: echo lines are output,
 * `exit n` ends with n, `sleep`/`wait` mean "runs until killed" (exitStatus undefined).
 */
export function interpretShell(args: string[]): { stdout: string; exitStatus?: number } {
  const script = args[0]?.endsWith("sh") && args[1] === "-c" ? (args[2] ?? "") : args.join(" ");
  let stdout = "";
  for (const raw of script.split(/;|&&|\n/)) {
    const cmd = raw.trim().replace(/&$/, "").trim();
    if (!cmd || cmd.startsWith("trap ")) continue;
    const [word, ...rest] = cmd.split(/\s+/);
    const name = word?.split("/").pop();
    if (name === "echo") stdout += rest.join(" ").replace(/^["']|["']$/g, "") + "\n";
    else if (name === "exit") return { stdout, exitStatus: Number(rest[0] ?? 0) };
    else if (name === "sleep" || name === "wait") return { stdout };
    else if (name === "true") continue;
    else if (name === "false") return { stdout, exitStatus: 1 };
  }
  return { stdout, exitStatus: 0 };
}

// Compile-time check: the fake must keep satisfying the interface it stands in for.
type SatisfiesInterface = FakeSandboxRuntime extends SandboxRuntime ? true : never;
export const FAKE_SATISFIES_SANDBOX_RUNTIME: SatisfiesInterface = true;
