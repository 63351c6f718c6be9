// An in-memory SandboxRuntime for the Kata-only paths (no Kata shim exists on CI machines). It
// records every call, takes injectable errors per method, and "runs" a task by interpreting its
// spec's shell command just enough for the contract suite: `echo …` writes to stdout, `exit n`
// ends with n, `sleep`/`wait` keeps it running until killed. The contract suite holds it honest
// against the real containerd driver.
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
} from "./sandbox-runtime";

type MethodName = Exclude<keyof SandboxRuntime, "close">;

export interface FakeCall {
  method: MethodName;
  args: unknown[];
}

interface FakeTask {
  info: TaskInfo;
  exit?: TaskExit;
  waiters: Array<(e: TaskExit) => void>;
}

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

  constructor(opts: { namespace?: string; images?: string[] } = {}) {
    this.namespace = opts.namespace ?? "hypercell";
    for (const i of opts.images ?? []) this.images.add(i);
  }

  /** Makes `image` resolvable, as an import would. */
  addImage(image: string): void {
    this.images.add(image);
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

  private enter(method: MethodName, args: unknown[]): void {
    this.calls.push({ method, args });
    const injected = this.failures.get(method)?.shift();
    if (injected) throw injected;
  }

  private emit(e: RuntimeEvent): void {
    for (const s of this.subscribers) s(e);
  }

  async ensureNamespace(): Promise<void> {
    this.enter("ensureNamespace", []);
    this.namespaceCreated = true;
  }

  async prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]> {
    this.enter("prepareRootfs", [image, snapshotKey]);
    if (!this.images.has(image)) throw new AppError("NOT_FOUND", `image "${image}" is not in containerd namespace "${this.namespace}"; import or pull it first`);
    if (this.snapshots.has(snapshotKey)) throw new AppError("CONFLICT", `rootfs snapshot "${snapshotKey}" already exists in namespace "${this.namespace}"; use a new key or delete the old container first`);
    this.snapshots.add(snapshotKey);
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
    t.info = { ...t.info, status: "stopped", exitStatus, exitedAt: exit.exitedAt };
    this.emit({ type: "task-exit", containerId: t.info.containerId, pid: t.info.pid, exitStatus, exitedAt: exit.exitedAt, at: exit.exitedAt });
    for (const w of t.waiters.splice(0)) w(exit);
  }

  async startTask(input: StartTaskInput): Promise<number> {
    this.enter("startTask", [input]);
    const c = this.container(input.containerId, "start task");
    if (this.tasks.has(input.containerId)) throw new AppError("CONFLICT", `container "${input.containerId}" already has a task; delete it before starting another`);
    for (const f of new Set([input.stdoutPath, input.stderrPath])) {
      mkdirSync(path.dirname(f), { recursive: true });
      closeSync(openSync(f, "a"));
    }
    const pid = this.nextPid++;
    const t: FakeTask = { info: { containerId: input.containerId, pid, status: "running" }, waiters: [] };
    this.tasks.set(input.containerId, t);
    this.emit({ type: "task-start", containerId: input.containerId, pid, at: new Date() });
    const outcome = interpretShell((c.spec.process as { args?: string[] } | undefined)?.args ?? []);
    if (outcome.stdout) appendFileSync(input.stdoutPath, outcome.stdout);
    if (outcome.exitStatus !== undefined) {
      const code = outcome.exitStatus;
      setTimeout(() => this.finish(t, code), 5);
    }
    return pid;
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
    setTimeout(() => this.finish(t, 128 + signalNumber(signal)), 5);
  }

  async deleteTask(containerId: string): Promise<TaskExit> {
    this.enter("deleteTask", [containerId]);
    const t = this.task(containerId, "to delete");
    if (!t.exit) throw new AppError("PRECONDITION_FAILED", `the task of container "${containerId}" is still running (pid ${t.info.pid}); kill it and wait for it before deleting`);
    this.tasks.delete(containerId);
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
