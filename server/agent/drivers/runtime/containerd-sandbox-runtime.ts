// SandboxRuntime over containerd's own gRPC API (not CRI): the agent owns one namespace and drives
// images, snapshots, containers, tasks and events directly, the way containerd's Go client does.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { closeSync, mkdirSync, openSync } from "node:fs";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { AppError, isAppError } from "../../../errors";
import { packAny, unpackAny } from "../../../proto/containerd/load";
import type { Container__Output } from "../../../proto/containerd/generated/containerd/services/containers/v1/Container";
import type { Process__Output } from "../../../proto/containerd/generated/containerd/v1/types/Process";
import type { Envelope__Output } from "../../../proto/containerd/generated/containerd/types/Envelope";
import type { Mount__Output } from "../../../proto/containerd/generated/containerd/types/Mount";
import type { Timestamp__Output } from "../../../proto/containerd/generated/google/protobuf/Timestamp";
import { ContainerdClient, quoteFilter, type CallOptions } from "./containerd-client";
import { containerdError, hasGrpcCode } from "./containerd-errors";
import { ContainerdSandboxApi, SANDBOX_CONTAINER_LABEL, sandboxIdForContainer, type SandboxApiSupport } from "./containerd-sandbox-api";
import { chainIds, chooseManifest, configDiffIds, isIndex, isManifest, manifestParts } from "./image-manifest";
import type { Descriptor } from "./oci-image";
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

export interface ContainerdSandboxRuntimeOptions {
  /** unix:///run/containerd/containerd.sock */
  address: string;
  /** containerd namespace the agent's kernels live in. */
  namespace: string;
  /** Snapshotter for root filesystems (default "overlayfs"). */
  snapshotter?: string;
  /** OCI architecture of the images to run (default: this machine's). */
  architecture?: string;
  /** Default deadline for metadata calls (default 30 s). */
  timeoutMs?: number;
  /** Shim-specific CreateTaskRequest.options (an Any), e.g. runcTaskOptions() in tests. */
  taskOptions?: { type_url: string; value: Buffer };
  /**
   * "auto" (default): where the daemon offers the Sandbox API (containerd >= 1.7, detected once per
   * connection), createContainer first makes and starts a sandbox for the container (one VM per
   * kernel) and records the container in it; deleteContainer tears that sandbox down after the
   * container. Elsewhere — containerd 1.6, or a shim that answers UNIMPLEMENTED to sandbox calls —
   * the task-only path runs, exactly as in "tasks" mode. "tasks": never use the Sandbox API.
   */
  sandboxMode?: "auto" | "tasks";
  /** Sandboxer for the Sandbox API's Controller calls (default "shim", containerd 2.x's shim sandboxer). */
  sandboxer?: string;
}

/** runc shim options with a private state root (see runtime/runc/options.proto for why). */
export function runcTaskOptions(opts: { root: string }): { type_url: string; value: Buffer } {
  return packAny("containerd.runc.v1.Options", { root: opts.root });
}

/** Type URL containerd's typeurl registers for the OCI runtime spec (carried as JSON). */
export const OCI_SPEC_TYPE_URL = "types.containerd.io/opencontainers/runtime-spec/1/Spec";
/** Config-blob label that keeps an image's unpacked layer snapshots from GC (as `ctr` does). */
const GC_SNAPSHOT_LABEL = (snapshotter: string) => `containerd.io/gc.ref.snapshot.${snapshotter}`;
const PROBE_TOPIC = "/hypercell/subscribe-probe";
const PROBE_TYPE_URL = "types.hypercell.io/SubscribeProbe";

function toDate(ts: Timestamp__Output | null | undefined): Date | undefined {
  if (!ts || (!ts.seconds && !ts.nanos)) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6));
}

function toMount(m: Mount__Output): RuntimeMount {
  return { type: m.type, source: m.source, ...(m.target ? { target: m.target } : {}), options: m.options };
}

function toContainerInfo(c: Container__Output): ContainerInfo {
  return {
    id: c.id,
    image: c.image,
    runtime: c.runtime?.name ?? "",
    labels: { ...c.labels },
    snapshotter: c.snapshotter,
    snapshotKey: c.snapshotKey,
    ...(toDate(c.createdAt) ? { createdAt: toDate(c.createdAt)! } : {}),
    ...(c.sandbox ? { sandboxId: c.sandbox } : {}),
  };
}

function toTaskInfo(p: Process__Output): TaskInfo {
  const status = (p.status as string).toLowerCase() as TaskStatus;
  const exitedAt = toDate(p.exitedAt);
  return {
    containerId: p.containerId,
    pid: p.pid,
    status,
    ...(status === "stopped" ? { exitStatus: p.exitStatus } : {}),
    ...(exitedAt ? { exitedAt } : {}),
  };
}

/** Lease ids are containerd identifiers (letters, digits, . _ -); snapshot keys may be anything. */
function rootfsLeaseId(snapshotKey: string): string {
  return `hypercell-rootfs-${createHash("sha256").update(snapshotKey).digest("hex").slice(0, 24)}`;
}

export class ContainerdSandboxRuntime implements SandboxRuntime {
  readonly client: ContainerdClient;
  readonly snapshotter: string;
  private readonly architecture: string | undefined;
  private readonly taskOptions: { type_url: string; value: Buffer } | undefined;
  /** The Sandbox API (containerd >= 1.7) over the same connection. */
  readonly sandboxes: ContainerdSandboxApi;
  readonly sandboxMode: "auto" | "tasks";
  /** Runtime names whose shim refused sandbox calls (UNIMPLEMENTED), with containerd's words. */
  private readonly shimsWithoutSandboxes = new Map<string, string>();

  constructor(options: ContainerdSandboxRuntimeOptions) {
    this.client = new ContainerdClient({ address: options.address, namespace: options.namespace, timeoutMs: options.timeoutMs });
    this.snapshotter = options.snapshotter ?? "overlayfs";
    this.architecture = options.architecture;
    this.taskOptions = options.taskOptions;
    this.sandboxMode = options.sandboxMode ?? "auto";
    this.sandboxes = new ContainerdSandboxApi(this.client, options.sandboxer ? { sandboxer: options.sandboxer } : {});
  }

  get namespace(): string {
    return this.client.namespace;
  }

  async ensureNamespace(): Promise<void> {
    const ns = this.client.namespace;
    await this.client
      .unary("namespaces", "Create", { namespace: { name: ns, labels: {} } }, { action: "create namespace", object: `namespace "${ns}"` })
      .catch((e: unknown) => {
        if (e instanceof AppError && e.code === "CONFLICT") return;
        throw e;
      });
  }

  // --- images and root filesystems ---------------------------------------------------------

  /** Reads a whole blob from the content store. */
  private async readBlob(digest: string, what: string): Promise<Buffer> {
    const chunks = await this.client.collect<{ offset: number; data: Buffer }>(
      "content",
      "Read",
      { digest, offset: 0, size: 0 },
      { action: "read content", object: `${what} ${digest}`, hints: { notFound: `${what} ${digest} is not in the content store of namespace "${this.namespace}"; import or pull the image again` } },
    );
    return Buffer.concat(chunks.map((c) => c.data));
  }

  private async readJson(desc: Descriptor, what: string): Promise<unknown> {
    const data = await this.readBlob(desc.digest, what);
    try {
      return JSON.parse(data.toString("utf8"));
    } catch {
      throw new AppError("RUNTIME_ERROR", `${what} ${desc.digest} is not valid JSON`);
    }
  }

  /** image name → (index →) manifest → config digest, layers, diff IDs. */
  async resolveImage(image: string): Promise<{ config: Descriptor; layers: Descriptor[]; diffIds: string[] }> {
    const res = await this.client.unary<{ image: { target: Descriptor | null } | null }>(
      "images",
      "Get",
      { name: image },
      { action: "resolve image", object: `image "${image}"`, hints: { notFound: `image "${image}" is not in containerd namespace "${this.namespace}"; import or pull it first` } },
    );
    let desc = res.image?.target;
    if (!desc) throw new AppError("RUNTIME_ERROR", `image "${image}" has no target descriptor`);
    if (isIndex(desc.mediaType)) desc = chooseManifest(await this.readJson(desc, `index of image "${image}"`), image, this.architecture);
    if (!isManifest(desc.mediaType)) throw new AppError("RUNTIME_ERROR", `image "${image}" points at ${desc.mediaType}, which is neither an index nor a manifest`);
    const { config, layers } = manifestParts(await this.readJson(desc, `manifest of image "${image}"`), image);
    const diffIds = configDiffIds(await this.readJson(config, `config of image "${image}"`), image, layers.length);
    return { config, layers, diffIds };
  }

  private snapshotCall(method: string, request: object, object: string, action: string, opts?: CallOptions) {
    return this.client.unary<{ mounts?: Mount__Output[] }>("snapshots", method, { snapshotter: this.snapshotter, ...request }, { action, object }, opts);
  }

  private async snapshotExists(key: string): Promise<boolean> {
    const res = await this.client.unaryOrMissing("snapshots", "Stat", { snapshotter: this.snapshotter, key }, { action: "stat snapshot", object: `snapshot "${key}"` });
    return res !== undefined;
  }

  /**
   * Applies every layer not yet unpacked, each onto a fresh active snapshot committed under its
   * chain ID — what the Go client's unpacker does, through the Diff service (1.6 has no Transfer
   * service). Returns the top chain ID.
   */
  private async unpack(image: string, layers: Descriptor[], diffIds: string[], lease: string): Promise<string> {
    const chain = chainIds(diffIds);
    for (let i = 0; i < layers.length; i++) {
      const chainId = chain[i]!;
      if (await this.snapshotExists(chainId)) continue;
      const parent = i === 0 ? "" : chain[i - 1]!;
      const key = `extract-${randomBytes(6).toString("hex")} ${chainId}`;
      const layer = layers[i]!;
      const prepared = await this.snapshotCall("Prepare", { key, parent, labels: {} }, `snapshot "${key}"`, "prepare layer snapshot", { lease });
      try {
        const applied = await this.client.unary<{ applied: Descriptor | null }>(
          "diff",
          "Apply",
          { diff: { mediaType: layer.mediaType, digest: layer.digest, size: layer.size }, mounts: prepared.mounts ?? [] },
          { action: "apply layer", object: `layer ${layer.digest} of image "${image}"` },
          { lease, timeoutMs: 10 * 60_000 },
        );
        if (applied.applied?.digest && applied.applied.digest !== diffIds[i]) {
          throw new AppError("RUNTIME_ERROR", `image "${image}": layer ${layer.digest} unpacked to ${applied.applied.digest}, but its config expects ${diffIds[i]}`);
        }
        await this.client
          .unary("snapshots", "Commit", { snapshotter: this.snapshotter, name: chainId, key, labels: {} }, { action: "commit layer snapshot", object: `snapshot "${chainId}"` }, { lease })
          .catch((e: unknown) => {
            // Another unpack of the same layer won the race: its snapshot is as good as ours.
            if (!(e instanceof AppError && e.code === "CONFLICT")) throw e;
          });
      } finally {
        // After a commit the key is gone already; after a failure it must not linger.
        await this.client.unaryOrMissing("snapshots", "Remove", { snapshotter: this.snapshotter, key }, { action: "remove extract snapshot", object: `snapshot "${key}"` }).catch(() => undefined);
      }
    }
    return chain[chain.length - 1] ?? "";
  }

  async prepareRootfs(image: string, snapshotKey: string): Promise<RuntimeMount[]> {
    const { config, layers, diffIds } = await this.resolveImage(image);
    // Tie the layer snapshots to the image (its config blob), as containerd's own unpack does — while
    // the unpack lease still holds them: released first, GC could take the fresh top snapshot in between.
    const top = await this.client.withLease(async (lease) => {
      const chainTop = await this.unpack(image, layers, diffIds, lease);
      await this.client.unary(
        "content",
        "Update",
        { info: { digest: config.digest, labels: { [GC_SNAPSHOT_LABEL(this.snapshotter)]: chainTop } }, updateMask: { paths: [`labels.${GC_SNAPSHOT_LABEL(this.snapshotter)}`] } },
        { action: "label image config", object: `config ${config.digest} of image "${image}"` },
      );
      return chainTop;
    });
    // The writable snapshot is referenced by nothing until createContainer: hold it with a lease
    // named after the key, which createContainer (or deleteContainer) releases. If the agent dies
    // in between, the lease expires and GC takes the snapshot.
    const leaseId = await this.client.createLease(rootfsLeaseId(snapshotKey), 60 * 60_000).catch((e: unknown) => {
      if (e instanceof AppError && e.code === "CONFLICT") return rootfsLeaseId(snapshotKey);
      throw e;
    });
    const res = await this.client
      .unary<{ mounts: Mount__Output[] }>(
        "snapshots",
        "Prepare",
        { snapshotter: this.snapshotter, key: snapshotKey, parent: top, labels: { "hypercell.io/image": image } },
        {
          action: "prepare rootfs",
          object: `snapshot "${snapshotKey}"`,
          hints: { alreadyExists: `rootfs snapshot "${snapshotKey}" already exists in namespace "${this.namespace}"; use a new key or delete the old container first` },
        },
        { lease: leaseId },
      )
      .catch(async (e: unknown) => {
        if (!(e instanceof AppError && e.code === "CONFLICT")) await this.client.deleteLease(leaseId).catch(() => undefined);
        throw e;
      });
    return res.mounts.map(toMount);
  }

  hasRootfs(snapshotKey: string): Promise<boolean> {
    return this.snapshotExists(snapshotKey);
  }

  // --- sandboxes (containerd >= 1.7) ---------------------------------------------------------

  /**
   * Whether the daemon offers the Sandbox API, with its version (asked once per connection).
   * Throws RUNTIME_ERROR only when the daemon cannot be asked.
   */
  sandboxApiSupport(): Promise<SandboxApiSupport> {
    return this.sandboxes.detect();
  }

  /** Whether createContainer makes a sandbox for a container of this runtime name. */
  async usesSandboxApi(runtime: string): Promise<boolean> {
    if (this.sandboxMode === "tasks" || this.shimsWithoutSandboxes.has(runtime)) return false;
    return (await this.sandboxes.detect()).offered;
  }

  /**
   * Makes and starts the container's sandbox; returns its id, or undefined when the runtime's shim
   * turns out not to implement sandboxes (then it is not asked again on this connection).
   */
  private async createSandboxFor(input: CreateContainerInput): Promise<string | undefined> {
    const id = sandboxIdForContainer(input.id);
    const annotations = (input.spec as { annotations?: Record<string, string> }).annotations ?? {};
    const create = () =>
      this.sandboxes.create({
        id,
        runtime: input.runtime,
        ...(this.taskOptions ? { runtimeOptions: this.taskOptions } : {}),
        spec: input.spec,
        labels: { ...input.labels, [SANDBOX_CONTAINER_LABEL]: input.id },
        annotations,
      });
    try {
      await create();
      return id;
    } catch (e) {
      if (isAppError(e) && e.details?.grpcCode === "UNIMPLEMENTED") {
        this.shimsWithoutSandboxes.set(input.runtime, e.message);
        return undefined;
      }
      if (!(isAppError(e) && e.code === "CONFLICT")) throw e;
      // A sandbox of ours for this container id but no container: an agent died in between.
      const left = await this.sandboxes.get(id).catch(() => undefined);
      if (left?.labels[SANDBOX_CONTAINER_LABEL] !== input.id) throw e;
      await this.sandboxes.remove(id);
      await create();
      return id;
    }
  }

  /** Removes a sandbox made for `containerId` whose container is gone (best effort). */
  private async removeOrphanSandbox(containerId: string): Promise<void> {
    if (this.sandboxMode === "tasks") return;
    try {
      if (!(await this.sandboxes.detect()).offered) return;
      const id = sandboxIdForContainer(containerId);
      const left = await this.sandboxes.get(id).catch(() => undefined);
      if (left?.labels[SANDBOX_CONTAINER_LABEL] === containerId) await this.sandboxes.remove(id);
    } catch {
      /* the caller reports the missing container; a leftover sandbox is found again next time */
    }
  }

  // --- containers ----------------------------------------------------------------------------

  async createContainer(input: CreateContainerInput): Promise<ContainerInfo> {
    if (!(await this.snapshotExists(input.snapshotKey))) {
      throw new AppError("NOT_FOUND", `rootfs snapshot "${input.snapshotKey}" does not exist in namespace "${this.namespace}"; call prepareRootfs before creating container "${input.id}"`);
    }
    let sandboxId: string | undefined;
    if (await this.usesSandboxApi(input.runtime)) {
      // Ask first: a VM booted for an id that is taken would only be torn down again.
      const existing = await this.client.unaryOrMissing("containers", "Get", { id: input.id }, { action: "create container", object: `container "${input.id}"` });
      if (existing) throw new AppError("CONFLICT", `container "${input.id}" already exists in containerd namespace "${this.namespace}"; delete it first or choose another id`);
      sandboxId = await this.createSandboxFor(input);
    }
    const res = await this.client
      .unary<{ container: Container__Output }>(
        "containers",
        "Create",
        {
          container: {
            id: input.id,
            labels: input.labels,
            image: input.image,
            runtime: { name: input.runtime },
            spec: { type_url: OCI_SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(input.spec)) },
            snapshotter: this.snapshotter,
            snapshotKey: input.snapshotKey,
            sandbox: sandboxId ?? "",
          },
        },
        { action: "create container", object: `container "${input.id}"` },
      )
      .catch(async (e: unknown) => {
        if (sandboxId) await this.sandboxes.remove(sandboxId).catch(() => undefined);
        throw e;
      });
    // The container now references its snapshot; the lease that held it is no longer needed.
    await this.client.deleteLease(rootfsLeaseId(input.snapshotKey)).catch(() => undefined);
    return toContainerInfo(res.container);
  }

  async getContainer(containerId: string): Promise<ContainerInfo> {
    const res = await this.client.unary<{ container: Container__Output }>("containers", "Get", { id: containerId }, { action: "get container", object: `container "${containerId}"` });
    return toContainerInfo(res.container);
  }

  async listContainers(labels: Record<string, string> = {}): Promise<ContainerInfo[]> {
    const pairs = Object.entries(labels);
    // One filter with comma-joined terms = all must match (a list of filters would be "any").
    const filters = pairs.length ? [pairs.map(([k, v]) => `labels.${quoteFilter(k)}==${quoteFilter(v)}`).join(",")] : [];
    const res = await this.client.unary<{ containers: Container__Output[] }>("containers", "List", { filters }, { action: "list containers", object: "containers" });
    return res.containers.map(toContainerInfo);
  }

  async deleteContainer(containerId: string): Promise<void> {
    const container = await this.getContainer(containerId).catch(async (e: unknown) => {
      if (isAppError(e) && e.code === "NOT_FOUND") await this.removeOrphanSandbox(containerId);
      throw e;
    });
    // containerd's metadata API would delete the record under a live task and orphan the shim.
    const task = await this.client.unaryOrMissing<{ process: Process__Output }>("tasks", "Get", { containerId }, { action: "get task", object: `container "${containerId}"` });
    if (task?.process) {
      throw new AppError("PRECONDITION_FAILED", `container "${containerId}" still has a task (${String(task.process.status).toLowerCase()}, pid ${task.process.pid}); kill it, wait for it and delete the task first`);
    }
    await this.client.unary("containers", "Delete", { id: containerId }, { action: "delete container", object: `container "${containerId}"` });
    if (container.snapshotKey) {
      await this.client.unaryOrMissing(
        "snapshots",
        "Remove",
        { snapshotter: container.snapshotter || this.snapshotter, key: container.snapshotKey },
        { action: "remove rootfs snapshot", object: `snapshot "${container.snapshotKey}"` },
      );
      await this.client.deleteLease(rootfsLeaseId(container.snapshotKey)).catch(() => undefined);
    }
    // The sandbox (the kernel's VM) goes after its container.
    if (container.sandboxId) await this.sandboxes.remove(container.sandboxId);
  }

  // --- tasks ---------------------------------------------------------------------------------

  async startTask(input: StartTaskInput): Promise<number> {
    const { containerId } = input;
    const container = await this.client
      .unary<{ container: Container__Output }>(
        "containers",
        "Get",
        { id: containerId },
        { action: "start task", object: `container "${containerId}"`, hints: { notFound: `container "${containerId}" does not exist in namespace "${this.namespace}"; create it before starting its task` } },
      )
      .then((r) => r.container);
    const mounts = container.snapshotKey
      ? ((await this.snapshotCall("Mounts", { key: container.snapshotKey }, `snapshot "${container.snapshotKey}"`, "get rootfs mounts")).mounts ?? [])
      : [];
    // The shim opens stdout eagerly but stderr only on first write; create both so readers can
    // rely on the files existing once the task runs.
    for (const f of new Set([input.stdoutPath, input.stderrPath])) {
      mkdirSync(path.dirname(f), { recursive: true });
      closeSync(openSync(f, "a"));
    }
    // file:// IO: the shim appends to the files itself, so output survives an agent restart and
    // nobody has to hold a FIFO open (a plain path would be taken as a FIFO).
    await this.client.unary(
      "tasks",
      "Create",
      { containerId, rootfs: mounts, stdin: "", stdout: `file://${input.stdoutPath}`, stderr: `file://${input.stderrPath}`, terminal: false, ...(this.taskOptions ? { options: this.taskOptions } : {}) },
      {
        action: "create task",
        object: `container "${containerId}"`,
        hints: { alreadyExists: `container "${containerId}" already has a task; delete it before starting another` },
      },
      { timeoutMs: 120_000 },
    );
    try {
      const started = await this.client.unary<{ pid: number }>("tasks", "Start", { containerId }, { action: "start task", object: `container "${containerId}"` }, { timeoutMs: 120_000 });
      return started.pid;
    } catch (e) {
      // A created-but-never-started task would block deleteContainer; take it away again.
      await this.client.unaryOrMissing("tasks", "Delete", { containerId }, { action: "delete task", object: `container "${containerId}"` }).catch(() => undefined);
      throw e;
    }
  }

  async getTask(containerId: string): Promise<TaskInfo> {
    const res = await this.client.unary<{ process: Process__Output }>(
      "tasks",
      "Get",
      { containerId },
      { action: "get task", object: `container "${containerId}"`, hints: { notFound: `container "${containerId}" has no task in namespace "${this.namespace}"` } },
    );
    return toTaskInfo(res.process);
  }

  async listTasks(): Promise<TaskInfo[]> {
    const res = await this.client.unary<{ tasks: Process__Output[] }>("tasks", "List", { filter: "" }, { action: "list tasks", object: "tasks" });
    return res.tasks.map(toTaskInfo);
  }

  wait(containerId: string, signal?: AbortSignal): Promise<TaskExit> {
    const describe = { action: "wait for task", object: `container "${containerId}"`, hints: { notFound: `container "${containerId}" has no task to wait for` } };
    const tasks = this.client.service("tasks");
    return new Promise<TaskExit>((resolve, reject) => {
      const call = tasks.Wait({ containerId }, this.client.metadata(), {}, (err, res) => {
        signal?.removeEventListener("abort", onAbort);
        if (err) reject(containerdError(err, this.client.context(describe)));
        else resolve({ exitStatus: res!.exitStatus, exitedAt: toDate(res!.exitedAt) ?? new Date() });
      });
      const onAbort = () => call.cancel();
      if (signal?.aborted) call.cancel();
      else signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  async kill(containerId: string, signal: NodeJS.Signals | number, opts: { all?: boolean } = {}): Promise<void> {
    await this.client.unary(
      "tasks",
      "Kill",
      { containerId, execId: "", signal: signalNumber(signal), all: opts.all ?? false },
      { action: "kill task", object: `container "${containerId}"`, hints: { notFound: `container "${containerId}" has no running task to signal` } },
    );
  }

  async deleteTask(containerId: string): Promise<TaskExit> {
    // containerd 1.6 answers a delete of a running task with code Unknown ("cannot delete a
    // running process"); ask first so the caller gets PRECONDITION_FAILED, as the contract says.
    const current = await this.getTask(containerId);
    if (current.status === "running" || current.status === "paused" || current.status === "pausing") {
      throw new AppError("PRECONDITION_FAILED", `the task of container "${containerId}" is still running (pid ${current.pid}); kill it and wait for it before deleting`);
    }
    const res = await this.client.unary<{ exitStatus: number; exitedAt: Timestamp__Output | null }>(
      "tasks",
      "Delete",
      { containerId },
      {
        action: "delete task",
        object: `container "${containerId}"`,
        hints: {
          notFound: `container "${containerId}" has no task to delete`,
          failedPrecondition: `the task of container "${containerId}" is still running; kill it and wait for it before deleting`,
        },
      },
      { timeoutMs: 60_000 },
    );
    return { exitStatus: res.exitStatus, exitedAt: toDate(res.exitedAt) ?? new Date() };
  }

  // --- events --------------------------------------------------------------------------------

  async subscribe(): Promise<RuntimeEventStream> {
    const ns = this.namespace;
    const call = this.client.service("events").Subscribe(
      { filters: [`namespace==${quoteFilter(ns)},topic~=${quoteFilter("^/tasks/")}`, `namespace==${quoteFilter(ns)},topic==${quoteFilter(PROBE_TOPIC)}`] },
      this.client.metadata(),
      {},
    );
    const queue: RuntimeEvent[] = [];
    const waiters: Array<{ resolve: (r: IteratorResult<RuntimeEvent>) => void; reject: (e: unknown) => void }> = [];
    let ended = false;
    let failure: unknown;
    const nonce = randomUUID();
    let live!: () => void;
    const isLive = new Promise<void>((r) => (live = r));

    const finish = (err?: unknown) => {
      if (ended) return;
      ended = true;
      failure = err;
      for (const w of waiters.splice(0)) (err ? w.reject(err) : w.resolve({ value: undefined, done: true }));
    };
    call.on("data", (env: Envelope__Output) => {
      if (env.topic === PROBE_TOPIC) {
        if (env.event?.value && Buffer.from(env.event.value).toString() === nonce) live();
        return;
      }
      const ev = decodeTaskEvent(env);
      if (!ev) return;
      const w = waiters.shift();
      if (w) w.resolve({ value: ev, done: false });
      else queue.push(ev);
    });
    call.on("error", (err: grpc.ServiceError) => {
      if (hasGrpcCode(err, grpc.status.CANCELLED)) finish();
      else finish(containerdError(err, this.client.context({ action: "subscribe to events", object: `events of namespace "${ns}"` })));
    });
    call.on("end", () => finish());

    // containerd sends no response headers until the first event, so the only proof that the
    // subscription is registered is seeing an event published after it. Publish a probe until
    // it comes back.
    const deadline = Date.now() + 10_000;
    for (;;) {
      await this.client.unary(
        "events",
        "Publish",
        { topic: PROBE_TOPIC, event: { type_url: PROBE_TYPE_URL, value: Buffer.from(nonce) } },
        { action: "publish subscription probe", object: `events of namespace "${ns}"` },
      );
      const ok = await Promise.race([isLive.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 200))]);
      if (ok) break;
      if (ended || Date.now() > deadline) {
        call.cancel();
        throw (failure as Error | undefined) ?? new AppError("RUNTIME_ERROR", `the event subscription on ${this.client.address} did not become live within 10 s`);
      }
    }

    return {
      close: () => {
        queue.length = 0;
        call.cancel();
        finish();
      },
      [Symbol.asyncIterator]: () => ({
        next: () => {
          const ev = queue.shift();
          if (ev) return Promise.resolve({ value: ev, done: false });
          if (ended) return failure ? Promise.reject(failure) : Promise.resolve({ value: undefined, done: true });
          return new Promise<IteratorResult<RuntimeEvent>>((resolve, reject) => waiters.push({ resolve, reject }));
        },
        return: () => {
          queue.length = 0;
          call.cancel();
          finish();
          return Promise.resolve({ value: undefined, done: true });
        },
      }),
    };
  }

  close(): void {
    this.client.close();
  }
}

/** Turns a task event envelope into a RuntimeEvent; other events (exec, pause…) give undefined. */
export function decodeTaskEvent(env: Envelope__Output): RuntimeEvent | undefined {
  const decoded = unpackAny(env.event);
  if (!decoded) return undefined;
  const v = decoded.value as { containerId?: string; pid?: number; exitStatus?: number; exitedAt?: Timestamp__Output | null; id?: string };
  const at = toDate(env.timestamp) ?? new Date();
  const containerId = v.containerId ?? "";
  switch (decoded.type) {
    case "containerd.events.TaskStart":
      return { type: "task-start", containerId, pid: v.pid ?? 0, at };
    case "containerd.events.TaskExit":
      // Exits of exec'd processes carry their exec id; only the init process ends the task.
      if (v.id && v.id !== containerId) return undefined;
      return { type: "task-exit", containerId, pid: v.pid ?? 0, exitStatus: v.exitStatus ?? 0, exitedAt: toDate(v.exitedAt) ?? at, at };
    case "containerd.events.TaskOOM":
      return { type: "task-oom", containerId, at };
    case "containerd.events.TaskDelete":
      if (v.id && v.id !== containerId) return undefined;
      return { type: "task-delete", containerId, pid: v.pid ?? 0, exitStatus: v.exitStatus ?? 0, at };
    default:
      return undefined;
  }
}
