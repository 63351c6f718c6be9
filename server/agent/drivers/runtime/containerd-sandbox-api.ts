// containerd's Sandbox API (containerd.services.sandbox.v1.Store and .Controller, containerd 1.7+):
// one sandbox = one Kata VM that containers are then created in. This finds out once per connection
// whether the daemon offers it (Introspection, else a probe), and drives a sandbox's life: record
// (Store.Create) → create and start (Controller.Create, .Start) → status / wait → stop, shutdown
// and delete. Failures are AppErrors whose messages name the sandbox and the namespace; an
// UNIMPLEMENTED answer says which containerd release is needed and which one this daemon is.
import { createHash } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { AppError } from "../../../errors";
import type { Plugin__Output } from "../../../proto/containerd/generated/containerd/services/introspection/v1/Plugin";
import type { ControllerStartResponse__Output } from "../../../proto/containerd/generated/containerd/services/sandbox/v1/ControllerStartResponse";
import type { ControllerStatusResponse__Output } from "../../../proto/containerd/generated/containerd/services/sandbox/v1/ControllerStatusResponse";
import type { Sandbox__Output } from "../../../proto/containerd/generated/containerd/types/Sandbox";
import type { Timestamp__Output } from "../../../proto/containerd/generated/google/protobuf/Timestamp";
import { quoteFilter, type ContainerdClient } from "./containerd-client";
import { hasGrpcCode } from "./containerd-errors";
import type { OciRuntimeSpec } from "./sandbox-runtime";

/** Plugin types (containerd's plugins/types.go) that make up the Sandbox API. */
export const SANDBOX_STORE_PLUGIN = "io.containerd.sandbox.store.v1";
export const SANDBOX_CONTROLLER_PLUGIN = "io.containerd.sandbox.controller.v1";
/** containerd 2.x registers its CRI pause-container sandboxer under this type ("podsandbox"). */
export const PODSANDBOX_CONTROLLER_PLUGIN = "io.containerd.podsandbox.controller.v1";
/** The gRPC plugins that serve the two services: type io.containerd.grpc.v1, ids below. */
export const GRPC_PLUGIN = "io.containerd.grpc.v1";
export const GRPC_SANDBOX_STORE_ID = "sandboxes";
export const GRPC_SANDBOX_CONTROLLER_ID = "sandbox-controllers";
/**
 * The sandboxer (controller plugin id) that runs a sandbox as a shim of its runtime — what Kata
 * needs. containerd 2.x requires the name on every Controller call; 1.7 has one controller and no
 * such field (it skips the unknown field 10).
 */
export const DEFAULT_SANDBOXER = "shim";
/** Label on each sandbox the runtime makes for a container: the container's id. */
export const SANDBOX_CONTAINER_LABEL = "hypercell.io/container";
/** Type URL of the OCI runtime spec carried as JSON (containerd's typeurl registration). */
const OCI_SPEC_TYPE_URL = "types.containerd.io/opencontainers/runtime-spec/1/Spec";

type AnyMessage = { type_url: string; value: Buffer };

export interface SandboxApiSupport {
  /** True when the daemon serves containerd.services.sandbox.v1.Store and .Controller. */
  offered: boolean;
  /** The daemon's version and revision as its Version service reports them ("1.6.20~ds1"). */
  version: string;
  revision: string;
  /** How it was found out: the Introspection service's plugin list, or probing the two services. */
  detectedBy: "introspection" | "probe";
  /** Loaded sandbox controller plugin ids (2.x: "shim", "podsandbox"; 1.7: "local"); empty when probed. */
  sandboxers: string[];
  /** One sentence saying why, for logs and error messages. */
  reason: string;
}

export interface CreateSandboxInput {
  /** containerd identifier: letters, digits and . _ - between them, at most 76 characters. */
  id: string;
  /** Shim runtime name, e.g. io.containerd.kata.v2. */
  runtime: string;
  /** Shim-specific runtime options (Sandbox.runtime.options). */
  runtimeOptions?: AnyMessage;
  /** The sandbox's OCI spec; Kata reads the VM's configuration (annotations, devices) from it. */
  spec: OciRuntimeSpec;
  labels: Record<string, string>;
  /** Sandboxer name (default: the API's, "shim"). */
  sandboxer?: string;
  /** ControllerCreateRequest.annotations (containerd 2.x's own controller ignores them; proxies may not). */
  annotations?: Record<string, string>;
  netnsPath?: string;
}

/** A started sandbox (ControllerStartResponse). */
export interface SandboxInstance {
  id: string;
  /** The sandbox's process: for Kata, the shim's. */
  pid: number;
  /** The shim's task API address (e.g. ttrpc+unix:///…) and its API version. */
  address: string;
  version: number;
  createdAt?: Date;
  labels: Record<string, string>;
}

/** The record kept by the Store. */
export interface SandboxInfo {
  id: string;
  runtime: string;
  sandboxer: string;
  labels: Record<string, string>;
  createdAt?: Date;
  updatedAt?: Date;
}

export interface SandboxStatus {
  id: string;
  pid: number;
  /** As the sandboxer words it, e.g. "SANDBOX_READY", "SANDBOX_NOTREADY"; may be empty. */
  state: string;
  info: Record<string, string>;
  createdAt?: Date;
  exitedAt?: Date;
  address: string;
  version: number;
}

export interface SandboxExit {
  exitStatus: number;
  exitedAt: Date;
}

function toDate(ts: Timestamp__Output | null | undefined): Date | undefined {
  if (!ts || (!ts.seconds && !ts.nanos)) return undefined;
  return new Date(Number(ts.seconds) * 1000 + Math.floor(ts.nanos / 1e6));
}

function toSandboxInfo(s: Sandbox__Output): SandboxInfo {
  const createdAt = toDate(s.createdAt);
  const updatedAt = toDate(s.updatedAt);
  return { id: s.sandboxId, runtime: s.runtime?.name ?? "", sandboxer: s.sandboxer, labels: { ...s.labels }, ...(createdAt ? { createdAt } : {}), ...(updatedAt ? { updatedAt } : {}) };
}

/** containerd's identifier rule (identifiers.Validate). */
const IDENTIFIER = /^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/;
const MAX_IDENTIFIER = 76;

/**
 * The sandbox a container gets in "auto" mode: `<container id>-sandbox`, or a hash where that
 * would be too long. Never the container's own id: containerd 2.x registers a sandboxed
 * container's task under the container id next to the sandbox's shim, so the two must differ.
 */
export function sandboxIdForContainer(containerId: string): string {
  const id = `${containerId}-sandbox`;
  if (id.length <= MAX_IDENTIFIER && IDENTIFIER.test(id)) return id;
  return `hypercell-sandbox-${createHash("sha256").update(containerId).digest("hex").slice(0, 32)}`;
}

/** Reads the Introspection plugin list into a verdict. Exported for tests. */
export function sandboxSupportFromPlugins(plugins: Plugin__Output[], version: { version: string; revision: string }): SandboxApiSupport {
  const ok = (p: Plugin__Output) => !p.initErr || (!p.initErr.code && !p.initErr.message);
  const loaded = (type: string) => plugins.filter((p) => p.type === type && ok(p));
  const grpcPlugin = (id: string) => plugins.find((p) => p.type === GRPC_PLUGIN && p.id === id);
  const stores = loaded(SANDBOX_STORE_PLUGIN);
  const controllers = [...loaded(SANDBOX_CONTROLLER_PLUGIN), ...loaded(PODSANDBOX_CONTROLLER_PLUGIN)];
  const sandboxers = [...new Set(controllers.map((p) => p.id))];
  const base = { version: version.version, revision: version.revision, detectedBy: "introspection" as const, sandboxers };
  const daemon = `containerd ${version.version}`;
  if (!stores.length) return { ...base, offered: false, reason: `${daemon} has no loaded ${SANDBOX_STORE_PLUGIN} plugin` };
  if (!loaded(SANDBOX_CONTROLLER_PLUGIN).length) return { ...base, offered: false, reason: `${daemon} has no loaded ${SANDBOX_CONTROLLER_PLUGIN} plugin` };
  for (const id of [GRPC_SANDBOX_STORE_ID, GRPC_SANDBOX_CONTROLLER_ID]) {
    const p = grpcPlugin(id);
    if (p && !ok(p)) return { ...base, offered: false, reason: `${daemon} lists the ${GRPC_PLUGIN}.${id} service but it failed to load: ${p.initErr?.message ?? "no reason given"}` };
  }
  return { ...base, offered: true, reason: `${daemon} serves the Sandbox API (sandboxers: ${sandboxers.join(", ")})` };
}

export interface ContainerdSandboxApiOptions {
  /** Sandboxer for Controller calls (default "shim"). */
  sandboxer?: string;
}

export class ContainerdSandboxApi {
  readonly sandboxer: string;
  private supportPromise: Promise<SandboxApiSupport> | undefined;

  constructor(
    readonly client: ContainerdClient,
    options: ContainerdSandboxApiOptions = {},
  ) {
    this.sandboxer = options.sandboxer ?? DEFAULT_SANDBOXER;
  }

  private get namespace(): string {
    return this.client.namespace;
  }

  /**
   * Whether this daemon offers the Sandbox API, asked once per connection (a failure, e.g. the
   * daemon unreachable, is not remembered). Introspection's plugin list decides; where the daemon
   * has no Introspection service, probing Store.List and Controller.Status does (UNIMPLEMENTED =
   * absent). Throws RUNTIME_ERROR when the daemon cannot be asked.
   */
  detect(): Promise<SandboxApiSupport> {
    this.supportPromise ??= this.detectNow().catch((e: unknown) => {
      this.supportPromise = undefined;
      throw e;
    });
    return this.supportPromise;
  }

  private async detectNow(): Promise<SandboxApiSupport> {
    const version = await this.client.version();
    const plugins = await new Promise<Plugin__Output[] | undefined>((resolve, reject) => {
      this.client
        .service("introspection")
        .Plugins({ filters: [] }, this.client.metadata(), this.client.callOptions(), (err, res) => {
          if (!err) resolve(res!.plugins);
          else if (hasGrpcCode(err, grpc.status.UNIMPLEMENTED)) resolve(undefined);
          else reject(err);
        });
    }).catch((e: unknown) => {
      throw this.client.unaryError(e, { action: "list the daemon's plugins", object: "containerd introspection" });
    });
    if (plugins) return sandboxSupportFromPlugins(plugins, version);
    // No Introspection service: ask the two services themselves.
    const implemented = async (service: "sandboxStore" | "sandboxController", method: string, request: object) =>
      new Promise<boolean>((resolve, reject) => {
        (this.client.service(service) as unknown as Record<string, (r: object, md: grpc.Metadata, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void>)[method]!(
          request,
          this.client.metadata(),
          this.client.callOptions(),
          (err) => {
            if (!err) resolve(true);
            else if (hasGrpcCode(err, grpc.status.UNIMPLEMENTED)) resolve(false);
            else if (hasGrpcCode(err, grpc.status.UNAVAILABLE) || hasGrpcCode(err, grpc.status.DEADLINE_EXCEEDED)) reject(this.client.unaryError(err, { action: "probe the Sandbox API", object: `${service} service` }, service));
            else resolve(true); // NOT_FOUND, INVALID_ARGUMENT…: the service is there and answered.
          },
        );
      });
    const store = await implemented("sandboxStore", "List", { filters: [`labels.${quoteFilter("hypercell.io/probe")}==${quoteFilter("none")}`] });
    const controller = await implemented("sandboxController", "Status", { sandboxId: "hypercell-probe-nonexistent", verbose: false, sandboxer: this.sandboxer });
    const daemon = `containerd ${version.version}`;
    const offered = store && controller;
    return {
      version: version.version,
      revision: version.revision,
      detectedBy: "probe",
      sandboxers: [],
      offered,
      reason: offered
        ? `${daemon} answers on the Sandbox API's Store and Controller services`
        : `${daemon} answers UNIMPLEMENTED on containerd.services.sandbox.v1.${store ? "Controller" : "Store"}`,
    };
  }

  private describe(action: string, id: string, hints: Record<string, string> = {}) {
    return { action, object: `sandbox "${id}"`, hints };
  }

  /**
   * Records and boots a sandbox: Store.Create, Controller.Create, Controller.Start; returns the
   * started instance (pid, shim address). If the controller fails, the half-made sandbox is shut
   * down and its record deleted before the error is thrown.
   * Throws CONFLICT if a sandbox with this id exists; BAD_INPUT for an invalid id or a sandboxer
   * the daemon does not know (2.x: INVALID_ARGUMENT / NOT_FOUND); RUNTIME_ERROR when the daemon
   * lacks the Sandbox API (naming the version it needs) or the shim cannot start the sandbox.
   */
  async create(input: CreateSandboxInput): Promise<SandboxInstance> {
    if (!IDENTIFIER.test(input.id) || input.id.length > MAX_IDENTIFIER) {
      throw new AppError("BAD_INPUT", `sandbox id "${input.id}" is not a containerd identifier (letters and digits, joined by single . _ or -, at most ${MAX_IDENTIFIER} characters)`);
    }
    await this.detect();
    const sandboxer = input.sandboxer ?? this.sandboxer;
    const sandbox = {
      sandboxId: input.id,
      runtime: { name: input.runtime, ...(input.runtimeOptions ? { options: input.runtimeOptions } : {}) },
      spec: { type_url: OCI_SPEC_TYPE_URL, value: Buffer.from(JSON.stringify(input.spec)) },
      labels: input.labels,
      sandboxer,
    };
    const ns = this.namespace;
    await this.client.unary(
      "sandboxStore",
      "Create",
      { sandbox },
      this.describe("record sandbox", input.id, {
        alreadyExists: `sandbox "${input.id}" already exists in containerd namespace "${ns}"; remove it (stop, shutdown, delete) or choose another id`,
      }),
    );
    try {
      await this.client.unary(
        "sandboxController",
        "Create",
        { sandboxId: input.id, sandbox, sandboxer, annotations: input.annotations ?? {}, netnsPath: input.netnsPath ?? "", rootfs: [] },
        this.describe("create sandbox", input.id, {
          notFound: `containerd in namespace "${ns}" has no sandboxer "${sandboxer}" or no record of sandbox "${input.id}"; check the daemon's sandbox controller plugins`,
          alreadyExists: `sandbox "${input.id}" is already running in namespace "${ns}"; shut it down first`,
        }),
        { timeoutMs: 120_000 },
      );
      const started = await this.client.unary<ControllerStartResponse__Output>("sandboxController", "Start", { sandboxId: input.id, sandboxer }, this.describe("start sandbox", input.id), { timeoutMs: 300_000 });
      const createdAt = toDate(started.createdAt);
      return { id: started.sandboxId || input.id, pid: started.pid, address: started.address, version: started.version, labels: { ...started.labels }, ...(createdAt ? { createdAt } : {}) };
    } catch (e) {
      await this.client.unaryOrMissing("sandboxController", "Shutdown", { sandboxId: input.id, sandboxer }, this.describe("shut down sandbox", input.id)).catch(() => undefined);
      await this.client.unaryOrMissing("sandboxStore", "Delete", { sandboxId: input.id }, this.describe("delete sandbox record", input.id)).catch(() => undefined);
      throw e;
    }
  }

  /** The Store's record. Throws NOT_FOUND if there is none. */
  async get(id: string): Promise<SandboxInfo> {
    await this.detect();
    const res = await this.client.unary<{ sandbox: Sandbox__Output }>(
      "sandboxStore",
      "Get",
      { sandboxId: id },
      this.describe("get sandbox", id, { notFound: `sandbox "${id}" does not exist in containerd namespace "${this.namespace}"` }),
    );
    return toSandboxInfo(res.sandbox);
  }

  /**
   * Sandboxes whose labels include every pair of `labels` (all for `{}`), for recovery after an
   * agent restart. Same filter syntax as containers: one filter, terms joined by commas = AND.
   */
  async list(labels: Record<string, string> = {}): Promise<SandboxInfo[]> {
    await this.detect();
    const pairs = Object.entries(labels);
    const filters = pairs.length ? [pairs.map(([k, v]) => `labels.${quoteFilter(k)}==${quoteFilter(v)}`).join(",")] : [];
    const res = await this.client.unary<{ list: Sandbox__Output[] }>("sandboxStore", "List", { filters }, { action: "list sandboxes", object: "sandboxes" });
    return res.list.map(toSandboxInfo);
  }

  /** The controller's view: pid, state, shim address. Throws NOT_FOUND if the sandboxer knows no such sandbox. */
  async status(id: string, opts: { verbose?: boolean } = {}): Promise<SandboxStatus> {
    await this.detect();
    const res = await this.client.unary<ControllerStatusResponse__Output>(
      "sandboxController",
      "Status",
      { sandboxId: id, verbose: opts.verbose ?? false, sandboxer: this.sandboxer },
      this.describe("get sandbox status", id, { notFound: `sandbox "${id}" is not running under sandboxer "${this.sandboxer}" in containerd namespace "${this.namespace}"` }),
    );
    const createdAt = toDate(res.createdAt);
    const exitedAt = toDate(res.exitedAt);
    return { id: res.sandboxId || id, pid: res.pid, state: res.state, info: { ...res.info }, address: res.address, version: res.version, ...(createdAt ? { createdAt } : {}), ...(exitedAt ? { exitedAt } : {}) };
  }

  /**
   * Resolves when the sandbox exits. No deadline of its own: an AbortSignal stops waiting
   * (rejects RUNTIME_ERROR "… was cancelled"). Throws NOT_FOUND if there is no such sandbox.
   */
  async wait(id: string, signal?: AbortSignal): Promise<SandboxExit> {
    await this.detect();
    const res = await this.client.unary<{ exitStatus: number; exitedAt: Timestamp__Output | null }>(
      "sandboxController",
      "Wait",
      { sandboxId: id, sandboxer: this.sandboxer },
      this.describe("wait for sandbox", id, { notFound: `sandbox "${id}" is not running in containerd namespace "${this.namespace}"; nothing to wait for` }),
      { timeoutMs: Infinity, ...(signal ? { signal } : {}) },
    );
    return { exitStatus: res.exitStatus, exitedAt: toDate(res.exitedAt) ?? new Date() };
  }

  /** Stops the sandbox (its VM), giving its processes `timeoutSecs` (0: the sandboxer's default). */
  async stop(id: string, opts: { timeoutSecs?: number } = {}): Promise<void> {
    await this.detect();
    await this.client.unary("sandboxController", "Stop", { sandboxId: id, timeoutSecs: opts.timeoutSecs ?? 0, sandboxer: this.sandboxer }, this.describe("stop sandbox", id), { timeoutMs: 120_000 });
  }

  /** Releases the sandbox's shim and state in the sandboxer. Throws NOT_FOUND if it knows none. */
  async shutdown(id: string): Promise<void> {
    await this.detect();
    await this.client.unary("sandboxController", "Shutdown", { sandboxId: id, sandboxer: this.sandboxer }, this.describe("shut down sandbox", id), { timeoutMs: 120_000 });
  }

  /** Deletes the Store's record. Throws NOT_FOUND if there is none. */
  async delete(id: string): Promise<void> {
    await this.detect();
    await this.client.unary("sandboxStore", "Delete", { sandboxId: id }, this.describe("delete sandbox record", id, { notFound: `sandbox "${id}" does not exist in containerd namespace "${this.namespace}"` }));
  }

  /**
   * Tears the sandbox down whatever state it is in: Stop, Shutdown, then the record — each step
   * that finds nothing is skipped. Returns false when there was nothing at all. Other failures
   * throw (the sandbox may then be half gone; calling again finishes the job).
   */
  async remove(id: string, opts: { timeoutSecs?: number } = {}): Promise<boolean> {
    await this.detect();
    const sandboxer = this.sandboxer;
    const step = (service: "sandboxStore" | "sandboxController", method: string, request: object, action: string, timeoutMs = 120_000) =>
      this.client.unaryOrMissing(service, method, request, this.describe(action, id), { timeoutMs }).then((res) => res !== undefined);
    // containerd 2.x answers Stop of an unknown sandbox with success, so only the last two steps tell.
    await step("sandboxController", "Stop", { sandboxId: id, timeoutSecs: opts.timeoutSecs ?? 0, sandboxer }, "stop sandbox");
    const shutDown = await step("sandboxController", "Shutdown", { sandboxId: id, sandboxer }, "shut down sandbox");
    const deleted = await step("sandboxStore", "Delete", { sandboxId: id }, "delete sandbox record", 30_000);
    return shutDown || deleted;
  }
}
