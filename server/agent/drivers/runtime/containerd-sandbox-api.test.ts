// The Sandbox API driver over a local @grpc/grpc-js server that stands in for containerd >= 1.7:
// containerd 1.7/2.x cannot be installed on this machine (Debian ships 1.6, which has no Sandbox
// API), so this server implements Version, Introspection, the sandbox Store and Controller, and
// just enough of Containers, Snapshots, Leases and Tasks, from containerd's API facts
// (/work/shared/spec/containerd-api-facts.md) and its sources: Controller calls need a sandboxer
// (2.x answers INVALID_ARGUMENT without one), Controller.Create needs the Store's record (1.7 reads
// it from there), a sandboxed task runs in the sandbox's shim. It records every call, so the tests
// check what is sent, in which order, and that teardown leaves nothing. The real daemon's side
// (containerd 1.6: no Sandbox API, task path) is in containerd-sandbox-api.it.test.ts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { containerdPackageDefinition, NAMESPACE_METADATA_KEY } from "../../../proto/containerd/load";
import {
  ContainerdSandboxApi,
  sandboxIdForContainer,
  sandboxSupportFromPlugins,
  SANDBOX_CONTAINER_LABEL,
  SANDBOX_CONTROLLER_PLUGIN,
  SANDBOX_STORE_PLUGIN,
} from "./containerd-sandbox-api";
import { ContainerdSandboxRuntime, OCI_SPEC_TYPE_URL, runcTaskOptions } from "./containerd-sandbox-runtime";
import { ContainerdClient } from "./containerd-client";
import { minimalRuntimeSpec } from "./minimal-runtime-spec";
import { KATA_RUNTIME } from "./sandbox-runtime";

const NS = "hypercell-unit";
const dir = mkdtempSync(path.join(tmpdir(), "hypercell-sandbox-fake-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Any = { type_url: string; value: Buffer };
type Req = Record<string, unknown>;
interface Call {
  call: string;
  namespace: string | undefined;
  request: Req;
}
interface FakeSandbox {
  sandboxId: string;
  runtime: { name: string; options: Any | null } | null;
  spec: Any | null;
  labels: Record<string, string>;
  sandboxer: string;
}
interface FakeContainer {
  id: string;
  labels: Record<string, string>;
  image: string;
  runtime: { name: string } | null;
  spec: Any | null;
  snapshotter: string;
  snapshotKey: string;
  sandbox: string;
}
interface FakeTask {
  containerId: string;
  pid: number;
  status: "CREATED" | "RUNNING" | "STOPPED";
  exitStatus: number;
  shim: string;
}

interface FakeOptions {
  version?: string;
  /** Serve Introspection (containerd always does; off = test the probe fallback). */
  introspection?: boolean;
  /** Serve the sandbox Store and Controller (containerd >= 1.7). */
  sandboxApi?: boolean;
  /** Fail this call ("Service.Method") once with this status. */
  fail?: Record<string, { code: grpc.status; details: string }>;
}

const fail = (code: grpc.status, details: string) => Object.assign(new Error(details), { code, details });

/** An in-memory containerd with the Sandbox API. */
class FakeContainerd {
  readonly calls: Call[] = [];
  readonly sandboxes = new Map<string, FakeSandbox>();
  /** Sandboxes the controller has a shim for: id → pid and whether started. */
  readonly shims = new Map<string, { pid: number; started: boolean; stopped: boolean }>();
  readonly containers = new Map<string, FakeContainer>();
  readonly tasks = new Map<string, FakeTask>();
  readonly snapshots = new Set<string>();
  private readonly waiters: Array<() => void> = [];
  private nextPid = 4000;
  private server = new grpc.Server();
  address = "";

  constructor(private readonly opts: FakeOptions = {}) {}

  async start(): Promise<this> {
    const def = containerdPackageDefinition();
    const svc = (name: string) => def[`containerd.services.${name}`] as grpc.ServiceDefinition;
    const h = (name: string, fn: (req: Req) => unknown) => (call: grpc.ServerUnaryCall<Req, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      this.calls.push({ call: name, namespace: call.metadata.get(NAMESPACE_METADATA_KEY)[0] as string | undefined, request: call.request });
      const injected = this.opts.fail?.[name];
      if (injected) {
        delete this.opts.fail![name];
        cb(fail(injected.code, injected.details));
        return;
      }
      try {
        const res = fn(call.request);
        if (res instanceof Promise) res.then((r) => cb(null, r), (e: grpc.ServiceError) => cb(e));
        else cb(null, res);
      } catch (e) {
        cb(e as grpc.ServiceError);
      }
    };
    const need = <T>(v: T | undefined, what: string): T => {
      if (v === undefined) throw fail(grpc.status.NOT_FOUND, `${what}: not found`);
      return v;
    };
    const notify = () => {
      for (const w of this.waiters.splice(0)) w();
    };

    this.server.addService(svc("version.v1.Version"), { Version: h("Version.Version", () => ({ version: this.opts.version ?? "v2.1.4", revision: "fake" })) });
    if (this.opts.introspection !== false) {
      const plugins = [
        { type: "io.containerd.snapshotter.v1", id: "btrfs", initErr: { code: 2, message: "path must be a btrfs filesystem" } },
        { type: "io.containerd.snapshotter.v1", id: "overlayfs" },
        ...(this.opts.sandboxApi === false
          ? []
          : [
              { type: SANDBOX_STORE_PLUGIN, id: "local" },
              { type: SANDBOX_CONTROLLER_PLUGIN, id: "shim" },
              { type: "io.containerd.podsandbox.controller.v1", id: "podsandbox" },
              { type: "io.containerd.grpc.v1", id: "sandboxes" },
              { type: "io.containerd.grpc.v1", id: "sandbox-controllers" },
            ]),
        { type: "io.containerd.grpc.v1", id: "tasks" },
      ];
      this.server.addService(svc("introspection.v1.Introspection"), { Plugins: h("Introspection.Plugins", () => ({ plugins })) });
    }
    if (this.opts.sandboxApi !== false) {
      const sandboxer = (req: Req) => {
        // containerd 2.x: the sandboxer is required and must be a loaded controller plugin.
        if (!req.sandboxer) throw fail(grpc.status.INVALID_ARGUMENT, "sandbox controller name can not be empty");
        if (req.sandboxer !== "shim") throw fail(grpc.status.NOT_FOUND, `failed to get sandbox controller by ${req.sandboxer as string}`);
      };
      const shimOf = (id: string) => need(this.shims.get(id), `sandbox ${id}`);
      this.server.addService(svc("sandbox.v1.Store"), {
        Create: h("Store.Create", (req) => {
          const sb = req.sandbox as FakeSandbox;
          if (this.sandboxes.has(sb.sandboxId)) throw fail(grpc.status.ALREADY_EXISTS, `sandbox ${sb.sandboxId}: already exists`);
          this.sandboxes.set(sb.sandboxId, sb);
          return { sandbox: sb };
        }),
        Get: h("Store.Get", (req) => ({ sandbox: need(this.sandboxes.get(req.sandboxId as string), `sandbox ${req.sandboxId as string}`) })),
        List: h("Store.List", (req) => {
          const filters = req.filters as string[];
          const terms = filters.length ? filters[0]!.split(",").map((t) => t.match(/^labels\.(".*?")==(".*")$/)!.slice(1).map((s) => JSON.parse(s) as string)) : [];
          return { list: [...this.sandboxes.values()].filter((s) => terms.every(([k, v]) => s.labels[k!] === v)) };
        }),
        Delete: h("Store.Delete", (req) => {
          if (!this.sandboxes.delete(req.sandboxId as string)) throw fail(grpc.status.NOT_FOUND, `sandbox ${req.sandboxId as string}: not found`);
          return {};
        }),
      });
      this.server.addService(svc("sandbox.v1.Controller"), {
        Create: h("Controller.Create", (req) => {
          sandboxer(req);
          const id = req.sandboxId as string;
          need(this.sandboxes.get(id), `failed to query sandbox metadata from store: sandbox ${id}`);
          if (this.shims.has(id)) throw fail(grpc.status.ALREADY_EXISTS, `sandbox ${id} already running`);
          this.shims.set(id, { pid: this.nextPid++, started: false, stopped: false });
          return { sandboxId: id };
        }),
        Start: h("Controller.Start", (req) => {
          sandboxer(req);
          const shim = shimOf(req.sandboxId as string);
          shim.started = true;
          return { sandboxId: req.sandboxId, pid: shim.pid, address: `ttrpc+unix:///run/containerd/s/${req.sandboxId as string}`, version: 3, createdAt: { seconds: 1_700_000_000, nanos: 0 }, labels: {} };
        }),
        Status: h("Controller.Status", (req) => {
          sandboxer(req);
          const shim = shimOf(req.sandboxId as string);
          return { sandboxId: req.sandboxId, pid: shim.pid, state: shim.stopped ? "SANDBOX_NOTREADY" : "SANDBOX_READY", info: {}, address: `ttrpc+unix:///run/containerd/s/${req.sandboxId as string}`, version: 3 };
        }),
        Stop: h("Controller.Stop", (req) => {
          sandboxer(req);
          const shim = this.shims.get(req.sandboxId as string);
          // 2.x: stopping an unknown sandbox is not an error.
          if (shim) {
            shim.stopped = true;
            notify();
          }
          return {};
        }),
        Wait: h("Controller.Wait", async (req) => {
          sandboxer(req);
          const shim = shimOf(req.sandboxId as string);
          while (!shim.stopped) await new Promise<void>((r) => this.waiters.push(r));
          return { exitStatus: 0, exitedAt: { seconds: 1_700_000_100, nanos: 0 } };
        }),
        Shutdown: h("Controller.Shutdown", (req) => {
          sandboxer(req);
          const id = req.sandboxId as string;
          shimOf(id);
          if ([...this.tasks.values()].some((t) => t.shim === id)) throw fail(grpc.status.FAILED_PRECONDITION, `sandbox ${id} still has tasks`);
          this.shims.delete(id);
          return {};
        }),
      });
    }
    this.server.addService(svc("containers.v1.Containers"), {
      Get: h("Containers.Get", (req) => ({ container: need(this.containers.get(req.id as string), `container "${req.id as string}"`) })),
      List: h("Containers.List", () => ({ containers: [...this.containers.values()] })),
      Create: h("Containers.Create", (req) => {
        const c = req.container as FakeContainer;
        if (!/^[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*$/.test(c.id)) throw fail(grpc.status.INVALID_ARGUMENT, `container id "${c.id}" invalid`);
        if (this.containers.has(c.id)) throw fail(grpc.status.ALREADY_EXISTS, `container "${c.id}": already exists`);
        if (c.sandbox) need(this.sandboxes.get(c.sandbox), `sandbox ${c.sandbox}`);
        this.containers.set(c.id, c);
        return { container: c };
      }),
      Delete: h("Containers.Delete", (req) => {
        if (!this.containers.delete(req.id as string)) throw fail(grpc.status.NOT_FOUND, `container "${req.id as string}": not found`);
        return {};
      }),
    });
    this.server.addService(svc("snapshots.v1.Snapshots"), {
      Stat: h("Snapshots.Stat", (req) => ({ info: { name: need(this.snapshots.has(req.key as string) ? (req.key as string) : undefined, `snapshot ${req.key as string}`), kind: "ACTIVE" } })),
      Mounts: h("Snapshots.Mounts", (req) => ({ mounts: [{ type: "overlay", source: "overlay", target: "", options: [`upperdir=/x/${req.key as string}`] }] })),
      Remove: h("Snapshots.Remove", (req) => {
        if (!this.snapshots.delete(req.key as string)) throw fail(grpc.status.NOT_FOUND, `snapshot ${req.key as string}: not found`);
        return {};
      }),
    });
    this.server.addService(svc("leases.v1.Leases"), { Delete: h("Leases.Delete", () => ({})) });
    this.server.addService(svc("tasks.v1.Tasks"), {
      Create: h("Tasks.Create", (req) => {
        const c = need(this.containers.get(req.containerId as string), `container ${req.containerId as string}`);
        if (this.tasks.has(c.id)) throw fail(grpc.status.ALREADY_EXISTS, `task ${c.id}: already exists`);
        // A sandboxed container's task runs in its sandbox's shim, which must be up.
        if (c.sandbox && !this.shims.get(c.sandbox)?.started) throw fail(grpc.status.FAILED_PRECONDITION, `sandbox ${c.sandbox} is not running`);
        this.tasks.set(c.id, { containerId: c.id, pid: this.nextPid++, status: "CREATED", exitStatus: 0, shim: c.sandbox || c.id });
        return { containerId: c.id, pid: this.tasks.get(c.id)!.pid };
      }),
      Start: h("Tasks.Start", (req) => {
        const t = need(this.tasks.get(req.containerId as string), `task ${req.containerId as string}`);
        t.status = "RUNNING";
        return { pid: t.pid };
      }),
      Get: h("Tasks.Get", (req) => {
        const t = need(this.tasks.get(req.containerId as string), `task ${req.containerId as string}`);
        return { process: { containerId: t.containerId, id: t.containerId, pid: t.pid, status: t.status, exitStatus: t.exitStatus } };
      }),
      Kill: h("Tasks.Kill", (req) => {
        const t = need(this.tasks.get(req.containerId as string), `task ${req.containerId as string}`);
        t.status = "STOPPED";
        t.exitStatus = 128 + (req.signal as number);
        return {};
      }),
      Delete: h("Tasks.Delete", (req) => {
        const t = need(this.tasks.get(req.containerId as string), `task ${req.containerId as string}`);
        this.tasks.delete(t.containerId);
        return { id: t.containerId, pid: t.pid, exitStatus: t.exitStatus };
      }),
    });
    const sock = path.join(dir, `c-${Math.random().toString(36).slice(2, 8)}.sock`);
    await new Promise<void>((res, rej) => this.server.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())));
    this.address = `unix://${sock}`;
    return this;
  }

  /** The calls made so far, as "Service.Method", without the ones in `skip`. */
  sequence(skip: string[] = []): string[] {
    return this.calls.map((c) => c.call).filter((c) => !skip.includes(c));
  }

  request(name: string, nth = 0): Req {
    const found = this.calls.filter((c) => c.call === name)[nth];
    if (!found) throw new Error(`no call ${name} #${nth}; calls: ${this.sequence().join(" ")}`);
    return found.request;
  }

  stop(): Promise<void> {
    return new Promise<void>((r) => this.server.tryShutdown(() => r()));
  }
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fake(opts: FakeOptions = {}): Promise<FakeContainerd> {
  const f = await new FakeContainerd(opts).start();
  cleanups.push(() => f.stop());
  return f;
}

function runtimeOn(f: FakeContainerd, extra: Partial<ConstructorParameters<typeof ContainerdSandboxRuntime>[0]> = {}): ContainerdSandboxRuntime {
  const rt = new ContainerdSandboxRuntime({ address: f.address, namespace: NS, timeoutMs: 5_000, ...extra });
  cleanups.push(() => rt.close());
  return rt;
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string; details?: Record<string, unknown> }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!e) throw new Error("expected a rejection");
  return e as Error & { code?: string };
}

function kernel(id: string, labels: Record<string, string> = { "ai.hypercell.kernel-id": id }) {
  const spec = minimalRuntimeSpec({ args: ["/bin/sh", "-c", "exec python -m kernel"], cgroupsPath: `/hypercell/${id}` });
  spec.annotations = { "io.katacontainers.config.hypervisor.default_vcpus": "8" };
  return { id, image: "ngc/pytorch:24.08-py3", runtime: KATA_RUNTIME, spec, labels, snapshotKey: `${id}-rootfs` };
}

const IO = { stdoutPath: path.join(dir, "out.log"), stderrPath: path.join(dir, "out.log") };
// Calls that only look things up; the order tests below are about the ones that change state.
const LOOKUPS = ["Snapshots.Stat", "Containers.Get", "Tasks.Get", "Snapshots.Mounts", "Leases.Delete", "Store.Get"];

describe("sandboxSupportFromPlugins", () => {
  const v = { version: "1.6.20~ds1", revision: "r" };
  it("says no for containerd 1.6's plugin list (no sandbox store or controller)", () => {
    const s = sandboxSupportFromPlugins([{ type: "io.containerd.grpc.v1", id: "tasks", requires: [], platforms: [], exports: {}, capabilities: [], initErr: null }], v);
    expect(s).toMatchObject({ offered: false, version: "1.6.20~ds1", detectedBy: "introspection", sandboxers: [] });
    expect(s.reason).toBe(`containerd 1.6.20~ds1 has no loaded ${SANDBOX_STORE_PLUGIN} plugin`);
  });

  it("says no when the gRPC service failed to load, and ignores plugins with init errors", () => {
    const p = (type: string, id: string, initErr: { code: number; message: string; details: [] } | null = null) => ({ type, id, requires: [], platforms: [], exports: {}, capabilities: [], initErr });
    const broken = sandboxSupportFromPlugins([p(SANDBOX_STORE_PLUGIN, "local"), p(SANDBOX_CONTROLLER_PLUGIN, "shim"), p("io.containerd.grpc.v1", "sandbox-controllers", { code: 2, message: "boom", details: [] })], v);
    expect(broken).toMatchObject({ offered: false, reason: expect.stringMatching(/sandbox-controllers service but it failed to load: boom/) });
    const skipped = sandboxSupportFromPlugins([p(SANDBOX_STORE_PLUGIN, "local"), p(SANDBOX_CONTROLLER_PLUGIN, "shim", { code: 9, message: "skip", details: [] })], v);
    expect(skipped).toMatchObject({ offered: false, reason: expect.stringMatching(/no loaded io\.containerd\.sandbox\.controller\.v1/) });
  });
});

describe("sandboxIdForContainer", () => {
  it("differs from the container id and stays a containerd identifier", () => {
    expect(sandboxIdForContainer("hc-k1")).toBe("hc-k1-sandbox");
    const long = sandboxIdForContainer(`hc-${"a".repeat(70)}`);
    expect(long).toMatch(/^hypercell-sandbox-[0-9a-f]{32}$/);
    expect(long.length).toBeLessThanOrEqual(76);
  });
});

describe("ContainerdSandboxApi on a daemon that offers it (local gRPC server standing in for containerd >= 1.7)", () => {
  it("detects it once per connection from Introspection, with the daemon's version", async () => {
    const f = await fake({ version: "v2.1.4" });
    const client = new ContainerdClient({ address: f.address, namespace: NS });
    cleanups.push(() => client.close());
    const api = new ContainerdSandboxApi(client);
    const support = await api.detect();
    expect(support).toEqual({
      offered: true,
      version: "v2.1.4",
      revision: "fake",
      detectedBy: "introspection",
      sandboxers: ["shim", "podsandbox"],
      reason: "containerd v2.1.4 serves the Sandbox API (sandboxers: shim, podsandbox)",
    });
    await api.detect();
    expect(f.sequence()).toEqual(["Version.Version", "Introspection.Plugins"]);
    expect(client.daemonVersion).toBe("v2.1.4");
  });

  it("probes the services where there is no Introspection service", async () => {
    const f = await fake({ introspection: false });
    const api = runtimeOn(f).sandboxes;
    expect(await api.detect()).toMatchObject({ offered: true, detectedBy: "probe", reason: expect.stringMatching(/answers on the Sandbox API's Store and Controller/) });
    // (Introspection.Plugins got UNIMPLEMENTED from grpc-js itself, so the fake never saw it.)
    // Status of a sandbox nobody has answers NOT_FOUND: the service is there.
    expect(f.sequence()).toEqual(["Version.Version", "Store.List", "Controller.Status"]);
  });

  it("creates, inspects, lists, waits for and removes a sandbox with the fields containerd reads", async () => {
    const f = await fake();
    const api = runtimeOn(f).sandboxes;
    const spec = minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: "/hypercell/vm-1" });
    const opts = runcTaskOptions({ root: "/run/hypercell-runc" });
    const started = await api.create({ id: "vm-1", runtime: KATA_RUNTIME, runtimeOptions: opts, spec, labels: { "ai.hypercell.session-id": "s1" }, annotations: { a: "b" } });
    expect(started).toEqual({ id: "vm-1", pid: 4000, address: "ttrpc+unix:///run/containerd/s/vm-1", version: 3, labels: {}, createdAt: new Date(1_700_000_000_000) });
    expect(f.sequence(["Version.Version", "Introspection.Plugins"])).toEqual(["Store.Create", "Controller.Create", "Controller.Start"]);
    const stored = f.request("Store.Create").sandbox as FakeSandbox;
    expect(stored).toMatchObject({ sandboxId: "vm-1", runtime: { name: KATA_RUNTIME, options: { type_url: opts.type_url } }, labels: { "ai.hypercell.session-id": "s1" }, sandboxer: "shim" });
    expect(stored.spec!.type_url).toBe(OCI_SPEC_TYPE_URL);
    expect(JSON.parse(Buffer.from(stored.spec!.value).toString())).toEqual(spec);
    expect(f.request("Controller.Create")).toMatchObject({ sandboxId: "vm-1", sandboxer: "shim", annotations: { a: "b" }, sandbox: { sandboxId: "vm-1", runtime: { name: KATA_RUNTIME } } });
    expect(f.request("Controller.Start")).toMatchObject({ sandboxId: "vm-1", sandboxer: "shim" });
    expect(f.calls.every((c) => c.namespace === NS)).toBe(true);

    expect(await api.get("vm-1")).toMatchObject({ id: "vm-1", runtime: KATA_RUNTIME, sandboxer: "shim", labels: { "ai.hypercell.session-id": "s1" } });
    expect(await api.status("vm-1")).toMatchObject({ id: "vm-1", pid: 4000, state: "SANDBOX_READY", address: "ttrpc+unix:///run/containerd/s/vm-1", version: 3 });
    expect((await api.list({ "ai.hypercell.session-id": "s1" })).map((s) => s.id)).toEqual(["vm-1"]);
    expect(f.request("Store.List").filters).toEqual(['labels."ai.hypercell.session-id"=="s1"']);
    expect(await api.list({ "ai.hypercell.session-id": "s2" })).toEqual([]);

    const waited = api.wait("vm-1");
    await api.stop("vm-1", { timeoutSecs: 10 });
    expect(f.request("Controller.Stop")).toMatchObject({ sandboxId: "vm-1", timeoutSecs: 10, sandboxer: "shim" });
    expect(await waited).toEqual({ exitStatus: 0, exitedAt: new Date(1_700_000_100_000) });
    expect(await api.remove("vm-1")).toBe(true);
    expect(f.sandboxes.size + f.shims.size).toBe(0);
    expect(await api.remove("vm-1")).toBe(false);
  });

  it("maps errors to messages that name the sandbox and namespace, and cancels a wait", async () => {
    const f = await fake();
    const api = runtimeOn(f).sandboxes;
    const status = await rejection(api.status("ghost"));
    expect(status).toMatchObject({ code: "NOT_FOUND" });
    expect(status.message).toMatch(/^sandbox "ghost" is not running under sandboxer "shim" in containerd namespace "hypercell-unit" \(containerd NOT_FOUND: sandbox ghost: not found\)$/);
    const bad = await rejection(api.create({ id: "Bad Id", runtime: KATA_RUNTIME, spec: minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: "/x" }), labels: {} }));
    expect(bad).toMatchObject({ code: "BAD_INPUT", message: expect.stringMatching(/sandbox id "Bad Id" is not a containerd identifier/) });
    const spec = minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: "/x" });
    await api.create({ id: "vm-2", runtime: KATA_RUNTIME, spec, labels: {} });
    const dup = await rejection(api.create({ id: "vm-2", runtime: KATA_RUNTIME, spec, labels: {} }));
    expect(dup).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/^sandbox "vm-2" already exists in containerd namespace "hypercell-unit"; remove it/) });
    const other = new ContainerdSandboxApi(api.client, { sandboxer: "firecracker" });
    const unknownSandboxer = await rejection(other.status("vm-2"));
    expect(unknownSandboxer).toMatchObject({ code: "NOT_FOUND", message: expect.stringMatching(/failed to get sandbox controller by firecracker/) });
    const ac = new AbortController();
    const waiting = api.wait("vm-2", ac.signal);
    setTimeout(() => ac.abort(), 20);
    expect(await rejection(waiting)).toMatchObject({ code: "RUNTIME_ERROR", message: expect.stringMatching(/"wait for sandbox" for sandbox "vm-2" was cancelled/) });
    await api.remove("vm-2");
  });

  it("a controller that fails to start the sandbox leaves neither shim nor record", async () => {
    const f = await fake({ fail: { "Controller.Start": { code: grpc.status.UNKNOWN, details: "failed to start sandbox vm-3: qemu: could not open /dev/vfio/42" } } });
    const api = runtimeOn(f).sandboxes;
    const err = await rejection(api.create({ id: "vm-3", runtime: KATA_RUNTIME, spec: minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: "/x" }), labels: {} }));
    expect(err).toMatchObject({ code: "RUNTIME_ERROR" });
    expect(err.message).toBe('containerd could not start sandbox (sandbox "vm-3") (containerd UNKNOWN: failed to start sandbox vm-3: qemu: could not open /dev/vfio/42)');
    expect(f.sequence(["Version.Version", "Introspection.Plugins"])).toEqual(["Store.Create", "Controller.Create", "Controller.Start", "Controller.Shutdown", "Store.Delete"]);
    expect(f.sandboxes.size + f.shims.size).toBe(0);
  });
});

describe("ContainerdSandboxRuntime in auto mode on a daemon with the Sandbox API (local gRPC server standing in for containerd >= 1.7)", () => {
  it("boots one sandbox per kernel before its container, runs the task in it, and tears it down after deleteContainer", async () => {
    const f = await fake();
    const rt = runtimeOn(f);
    const k = kernel("hc-k1");
    f.snapshots.add(k.snapshotKey);
    expect(await rt.usesSandboxApi(KATA_RUNTIME)).toBe(true);

    const info = await rt.createContainer(k);
    expect(info).toMatchObject({ id: "hc-k1", sandboxId: "hc-k1-sandbox", runtime: KATA_RUNTIME });
    const pid = await rt.startTask({ containerId: k.id, ...IO });
    expect(f.tasks.get(k.id)).toMatchObject({ pid, shim: "hc-k1-sandbox" });
    await rt.kill(k.id, "SIGKILL");
    expect(await rt.deleteTask(k.id)).toMatchObject({ exitStatus: 137 });
    await rt.deleteContainer(k.id);

    expect(f.sequence(["Version.Version", "Introspection.Plugins", ...LOOKUPS])).toEqual([
      "Store.Create",
      "Controller.Create",
      "Controller.Start",
      "Containers.Create",
      "Tasks.Create",
      "Tasks.Start",
      "Tasks.Kill",
      "Tasks.Delete",
      "Containers.Delete",
      "Snapshots.Remove",
      "Controller.Stop",
      "Controller.Shutdown",
      "Store.Delete",
    ]);
    const sb = f.request("Store.Create").sandbox as FakeSandbox;
    expect(sb).toMatchObject({ sandboxId: "hc-k1-sandbox", runtime: { name: KATA_RUNTIME }, sandboxer: "shim", labels: { "ai.hypercell.kernel-id": "hc-k1", [SANDBOX_CONTAINER_LABEL]: "hc-k1" } });
    expect(JSON.parse(Buffer.from(sb.spec!.value).toString())).toEqual(k.spec);
    // Kata's VM settings travel in the spec; the annotations also go to Controller.Create.
    expect(f.request("Controller.Create")).toMatchObject({ sandboxId: "hc-k1-sandbox", sandboxer: "shim", annotations: { "io.katacontainers.config.hypervisor.default_vcpus": "8" } });
    expect(f.request("Containers.Create").container).toMatchObject({ id: "hc-k1", sandbox: "hc-k1-sandbox", labels: { "ai.hypercell.kernel-id": "hc-k1" } });
    expect(f.request("Controller.Stop")).toMatchObject({ sandboxId: "hc-k1-sandbox", sandboxer: "shim" });
    // Detection happened once for the whole sequence.
    expect(f.sequence().filter((c) => c === "Introspection.Plugins")).toHaveLength(1);
    // Nothing left: no sandbox record, no shim, no container, no task, no snapshot.
    expect([f.sandboxes.size, f.shims.size, f.containers.size, f.tasks.size, f.snapshots.size]).toEqual([0, 0, 0, 0, 0]);
  });

  it("a duplicate container id is refused before any VM boots", async () => {
    const f = await fake();
    const rt = runtimeOn(f);
    const k = kernel("hc-k2");
    f.snapshots.add(k.snapshotKey);
    await rt.createContainer(k);
    const before = f.sequence().length;
    const err = await rejection(rt.createContainer(k));
    expect(err).toMatchObject({ code: "CONFLICT", message: 'container "hc-k2" already exists in containerd namespace "hypercell-unit"; delete it first or choose another id' });
    expect(f.sequence().slice(before)).toEqual(["Snapshots.Stat", "Containers.Get"]);
    await rt.deleteContainer(k.id);
    expect([f.sandboxes.size, f.shims.size, f.containers.size]).toEqual([0, 0, 0]);
  });

  it("removes the sandbox again when the container cannot be recorded", async () => {
    const f = await fake({ fail: { "Containers.Create": { code: grpc.status.INVALID_ARGUMENT, details: "labels: too long" } } });
    const rt = runtimeOn(f);
    const k = kernel("hc-k3");
    f.snapshots.add(k.snapshotKey);
    const err = await rejection(rt.createContainer(k));
    expect(err).toMatchObject({ code: "BAD_INPUT", message: expect.stringMatching(/rejected "create container" for container "hc-k3" as invalid \(containerd INVALID_ARGUMENT: labels: too long\)/) });
    expect(f.sequence(["Version.Version", "Introspection.Plugins", ...LOOKUPS]).slice(-4)).toEqual(["Containers.Create", "Controller.Stop", "Controller.Shutdown", "Store.Delete"]);
    expect([f.sandboxes.size, f.shims.size, f.containers.size]).toEqual([0, 0, 0]);
  });

  it("falls back to the task path for a shim that does not implement sandboxes", async () => {
    const f = await fake({ fail: { "Controller.Create": { code: grpc.status.UNIMPLEMENTED, details: "failed to create sandbox: service containerd.runtime.sandbox.v1.Sandbox: not implemented" } } });
    const rt = runtimeOn(f);
    const a = kernel("hc-k4");
    const b = kernel("hc-k5");
    f.snapshots.add(a.snapshotKey).add(b.snapshotKey);
    const info = await rt.createContainer(a);
    expect(info.sandboxId).toBeUndefined();
    expect(f.request("Containers.Create").container).toMatchObject({ id: "hc-k4", sandbox: "" });
    expect(f.sandboxes.size + f.shims.size).toBe(0);
    expect(await rt.usesSandboxApi(KATA_RUNTIME)).toBe(false);
    await rt.createContainer(b);
    expect(f.sequence().filter((c) => c === "Store.Create")).toHaveLength(1);
    await rt.startTask({ containerId: b.id, ...IO });
    expect(f.tasks.get(b.id)!.shim).toBe(b.id);
  });

  it("cleans up a sandbox an agent left without its container", async () => {
    const f = await fake();
    const rt = runtimeOn(f);
    const k = kernel("hc-k6");
    f.snapshots.add(k.snapshotKey);
    // A dead agent got as far as booting the sandbox.
    await rt.sandboxes.create({ id: sandboxIdForContainer(k.id), runtime: KATA_RUNTIME, spec: k.spec, labels: { [SANDBOX_CONTAINER_LABEL]: k.id } });
    // deleteContainer of the never-made container still says NOT_FOUND, and takes the VM away.
    expect(await rejection(rt.deleteContainer(k.id))).toMatchObject({ code: "NOT_FOUND" });
    expect(f.sandboxes.size + f.shims.size).toBe(0);
    // A retried create replaces a leftover sandbox of the same container.
    await rt.sandboxes.create({ id: sandboxIdForContainer(k.id), runtime: KATA_RUNTIME, spec: k.spec, labels: { [SANDBOX_CONTAINER_LABEL]: k.id } });
    expect(await rt.createContainer(k)).toMatchObject({ sandboxId: "hc-k6-sandbox" });
    expect(f.sandboxes.size).toBe(1);
    // Someone else's sandbox under that id is not touched.
    const k7 = kernel("hc-k7");
    f.snapshots.add(k7.snapshotKey);
    await rt.sandboxes.create({ id: sandboxIdForContainer(k7.id), runtime: KATA_RUNTIME, spec: k7.spec, labels: {} });
    expect(await rejection(rt.createContainer(k7))).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/sandbox "hc-k7-sandbox" already exists/) });
    expect(f.sandboxes.has("hc-k7-sandbox")).toBe(true);
  });

  it('"tasks" mode never touches the Sandbox API', async () => {
    const f = await fake();
    const rt = runtimeOn(f, { sandboxMode: "tasks" });
    const k = kernel("hc-k8");
    f.snapshots.add(k.snapshotKey);
    expect((await rt.createContainer(k)).sandboxId).toBeUndefined();
    await rt.deleteContainer(k.id);
    expect(f.sequence().some((c) => /^(Store|Controller|Introspection)\./.test(c))).toBe(false);
  });
});

describe("a daemon without the Sandbox API (local gRPC server shaped like containerd 1.6)", () => {
  it("detection says no, sandbox calls say which containerd they need, and kernels take the task path", async () => {
    const f = await fake({ version: "1.6.20~ds1", sandboxApi: false, introspection: false });
    const rt = runtimeOn(f);
    expect(await rt.sandboxApiSupport()).toMatchObject({
      offered: false,
      version: "1.6.20~ds1",
      detectedBy: "probe",
      reason: "containerd 1.6.20~ds1 answers UNIMPLEMENTED on containerd.services.sandbox.v1.Store",
    });
    const err = await rejection(rt.sandboxes.list());
    expect(isAppError(err) && err.code).toBe("RUNTIME_ERROR");
    expect(err.message).toMatch(
      /^cannot list sandboxes \(sandboxes, namespace "hypercell-unit"\): the Sandbox API needs containerd 1\.7 or newer \(this daemon is 1\.6\.20~ds1\); upgrade containerd or run kernels without it \(sandboxMode "tasks"\) \(containerd UNIMPLEMENTED: .*\)$/,
    );
    const k = kernel("hc-k9");
    f.snapshots.add(k.snapshotKey);
    expect((await rt.createContainer(k)).sandboxId).toBeUndefined();
    expect(f.request("Containers.Create").container).toMatchObject({ sandbox: "" });
  });
});
