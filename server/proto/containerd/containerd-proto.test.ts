// Our .proto files are written from containerd's API facts, not copied: this holds the parts we
// rely on to those facts (package, service, method, streaming, field numbers). The Sandbox API
// (containerd >= 1.7) can only be checked here and over a local gRPC server, since 1.6 lacks it.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, describe, expect, it } from "vitest";
import { containerdPackageDefinition, containerdProtoRoot, containerdServices, NAMESPACE_METADATA_KEY, packAny, unpackAny } from "./load";

const root = containerdProtoRoot();

function fields(type: string): Record<string, number> {
  const t = root.lookupType(type);
  return Object.fromEntries(Object.values(t.fields).map((f) => [f.name, f.id]));
}

function methods(service: string): Record<string, string> {
  const s = root.lookupService(service);
  return Object.fromEntries(Object.values(s.methods).map((m) => [m.name, `${m.requestStream ? "stream " : ""}${m.requestType} -> ${m.responseStream ? "stream " : ""}${m.responseType}`]));
}

describe("containerd proto subset", () => {
  it("defines the services and methods we call, with containerd's full names", () => {
    const def = containerdPackageDefinition();
    for (const full of [
      "containerd.services.namespaces.v1.Namespaces",
      "containerd.services.images.v1.Images",
      "containerd.services.content.v1.Content",
      "containerd.services.snapshots.v1.Snapshots",
      "containerd.services.diff.v1.Diff",
      "containerd.services.containers.v1.Containers",
      "containerd.services.tasks.v1.Tasks",
      "containerd.services.events.v1.Events",
      "containerd.services.leases.v1.Leases",
      "containerd.services.sandbox.v1.Store",
      "containerd.services.sandbox.v1.Controller",
      "containerd.services.introspection.v1.Introspection",
      "containerd.services.version.v1.Version",
    ]) {
      expect(def[full], full).toBeDefined();
    }
    expect(methods("containerd.services.content.v1.Content").Write).toBe("stream WriteContentRequest -> stream WriteContentResponse");
    expect(methods("containerd.services.events.v1.Events").Subscribe).toBe("SubscribeRequest -> stream containerd.types.Envelope");
    expect(Object.keys(methods("containerd.services.tasks.v1.Tasks"))).toEqual(expect.arrayContaining(["Create", "Start", "Kill", "Wait", "Delete", "Get", "List"]));
  });

  it("numbers the fields we send and read as containerd does", () => {
    expect(fields("containerd.services.containers.v1.Container")).toMatchObject({ id: 1, labels: 2, image: 3, runtime: 4, spec: 5, snapshotter: 6, snapshotKey: 7, createdAt: 8, updatedAt: 9, extensions: 10, sandbox: 11 });
    expect(fields("containerd.services.tasks.v1.CreateTaskRequest")).toEqual({ containerId: 1, rootfs: 3, stdin: 4, stdout: 5, stderr: 6, terminal: 7, checkpoint: 8, options: 9, runtimePath: 10, taskApiAddress: 11, taskApiVersion: 12 });
    expect(fields("containerd.services.tasks.v1.KillRequest")).toEqual({ containerId: 1, execId: 2, signal: 3, all: 4 });
    expect(fields("containerd.services.content.v1.WriteContentRequest")).toEqual({ action: 1, ref: 2, total: 3, expected: 4, offset: 5, data: 6, labels: 7 });
    expect(fields("containerd.types.Descriptor")).toEqual({ mediaType: 1, digest: 2, size: 3, annotations: 5 });
    expect(fields("containerd.v1.types.Process")).toMatchObject({ containerId: 1, pid: 3, status: 4, exitStatus: 9, exitedAt: 10 });
    expect(fields("containerd.events.TaskExit")).toEqual({ containerId: 1, id: 2, pid: 3, exitStatus: 4, exitedAt: 5 });
    expect(fields("containerd.types.Envelope")).toEqual({ timestamp: 1, namespace: 2, topic: 3, event: 4 });
  });

  it("matches the Sandbox API definition (containerd >= 1.7)", () => {
    expect(Object.keys(methods("containerd.services.sandbox.v1.Store")).sort()).toEqual(["Create", "Delete", "Get", "List", "Update"]);
    expect(Object.keys(methods("containerd.services.sandbox.v1.Controller")).sort()).toEqual(["Create", "Metrics", "Platform", "Shutdown", "Start", "Status", "Stop", "Update", "Wait"]);
    expect(fields("containerd.types.Sandbox")).toEqual({ sandboxId: 1, runtime: 2, spec: 3, labels: 4, createdAt: 5, updatedAt: 6, extensions: 7, sandboxer: 10 });
    expect(fields("containerd.services.sandbox.v1.ControllerCreateRequest")).toEqual({ sandboxId: 1, rootfs: 2, options: 3, netnsPath: 4, annotations: 5, sandbox: 6, sandboxer: 10 });
    expect(fields("containerd.services.sandbox.v1.ControllerStartResponse")).toEqual({ sandboxId: 1, pid: 2, createdAt: 3, labels: 4, address: 5, version: 6, spec: 7 });
    expect(fields("containerd.services.sandbox.v1.ControllerStatusResponse")).toEqual({ sandboxId: 1, pid: 2, state: 3, info: 4, createdAt: 5, exitedAt: 6, extra: 7, address: 8, version: 9 });
    expect(fields("containerd.services.sandbox.v1.ControllerStopRequest")).toEqual({ sandboxId: 1, timeoutSecs: 2, sandboxer: 10 });
    expect(fields("containerd.services.sandbox.v1.ControllerUpdateRequest")).toEqual({ sandboxId: 1, sandboxer: 2, sandbox: 3, fields: 4 });
    expect(fields("containerd.services.sandbox.v1.StoreListResponse")).toEqual({ list: 1 });
    expect(fields("containerd.services.sandbox.v1.StoreCreateRequest")).toEqual({ sandbox: 1 });
    expect(fields("containerd.services.sandbox.v1.StoreDeleteRequest")).toEqual({ sandboxId: 1 });
    expect(fields("containerd.services.sandbox.v1.ControllerStartRequest")).toEqual({ sandboxId: 1, sandboxer: 10 });
    expect(fields("containerd.services.sandbox.v1.ControllerShutdownRequest")).toEqual({ sandboxId: 1, sandboxer: 10 });
    expect(fields("containerd.services.sandbox.v1.ControllerWaitRequest")).toEqual({ sandboxId: 1, sandboxer: 10 });
    expect(fields("containerd.services.sandbox.v1.ControllerWaitResponse")).toEqual({ exitStatus: 1, exitedAt: 2 });
    expect(fields("containerd.types.Sandbox.Runtime")).toEqual({ name: 1, options: 2 });
  });

  it("matches the Introspection and Version definitions (how the driver finds the Sandbox API)", () => {
    expect(methods("containerd.services.introspection.v1.Introspection")).toEqual({
      Plugins: "PluginsRequest -> PluginsResponse",
      Server: "google.protobuf.Empty -> ServerResponse",
      PluginInfo: "PluginInfoRequest -> PluginInfoResponse",
    });
    expect(fields("containerd.services.introspection.v1.Plugin")).toEqual({ type: 1, id: 2, requires: 3, platforms: 4, exports: 5, capabilities: 6, initErr: 7 });
    expect(fields("containerd.services.introspection.v1.PluginsRequest")).toEqual({ filters: 1 });
    expect(fields("containerd.services.introspection.v1.PluginsResponse")).toEqual({ plugins: 1 });
    expect(fields("containerd.services.introspection.v1.ServerResponse")).toEqual({ uuid: 1, pid: 2, pidns: 3, deprecations: 4 });
    expect(fields("containerd.services.introspection.v1.PluginInfoRequest")).toEqual({ type: 1, id: 2, options: 3 });
    expect(fields("google.rpc.Status")).toEqual({ code: 1, message: 2, details: 3 });
    expect(root.lookupType("containerd.services.introspection.v1.Plugin").fields.initErr!.type).toBe("google.rpc.Status");
    expect(methods("containerd.services.version.v1.Version")).toEqual({ Version: "google.protobuf.Empty -> VersionResponse" });
    expect(fields("containerd.services.version.v1.VersionResponse")).toEqual({ version: 1, revision: 2 });
  });

  it("packs and unpacks Any by type name", () => {
    const any = packAny("containerd.events.TaskExit", { containerId: "k1", pid: 42, exitStatus: 3 });
    expect(any.type_url).toBe("containerd.events.TaskExit");
    expect(unpackAny(any)).toMatchObject({ type: "containerd.events.TaskExit", value: { containerId: "k1", pid: 42, exitStatus: 3 } });
    expect(unpackAny({ type_url: "types.example/not.Ours", value: Buffer.alloc(0) })).toBeUndefined();
  });
});

describe("Sandbox API over gRPC (a local server standing in for containerd >= 1.7)", () => {
  const dir = mkdtempSync(path.join(tmpdir(), "hypercell-sandbox-api-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("carries create/start/status/store calls with the namespace in metadata", async () => {
    const def = containerdPackageDefinition();
    const server = new grpc.Server();
    const seen: Array<{ method: string; namespace: unknown; request: unknown }> = [];
    const record = (method: string, reply: unknown) => (call: grpc.ServerUnaryCall<unknown, unknown>, cb: grpc.sendUnaryData<unknown>) => {
      seen.push({ method, namespace: call.metadata.get(NAMESPACE_METADATA_KEY)[0], request: call.request });
      cb(null, reply);
    };
    server.addService(def["containerd.services.sandbox.v1.Controller"] as grpc.ServiceDefinition, {
      Create: record("Create", { sandboxId: "vm-1" }),
      Start: record("Start", { sandboxId: "vm-1", pid: 4242, address: "ttrpc+unix:///run/vm-1.sock", version: 3, labels: { "io.katacontainers": "yes" } }),
      Status: record("Status", { sandboxId: "vm-1", pid: 4242, state: "SANDBOX_READY", info: {} }),
    });
    server.addService(def["containerd.services.sandbox.v1.Store"] as grpc.ServiceDefinition, {
      List: record("List", { list: [{ sandboxId: "vm-1", sandboxer: "shim", runtime: { name: "io.containerd.kata.v2" }, labels: { "hypercell.io/session": "s1" } }] }),
    });
    const sock = path.join(dir, "c.sock");
    await new Promise<void>((res, rej) => server.bindAsync(`unix://${sock}`, grpc.ServerCredentials.createInsecure(), (e) => (e ? rej(e) : res())));
    const { sandboxController, sandboxStore } = containerdServices();
    const controller = new sandboxController(`unix://${sock}`, grpc.credentials.createInsecure());
    const store = new sandboxStore(`unix://${sock}`, grpc.credentials.createInsecure());
    const md = () => {
      const m = new grpc.Metadata();
      m.set(NAMESPACE_METADATA_KEY, "hypercell");
      return m;
    };
    const unary = <T>(fn: (cb: (e: grpc.ServiceError | null, r?: T) => void) => void) => new Promise<T>((res, rej) => fn((e, r) => (e ? rej(e) : res(r!))));
    try {
      await unary((cb) => controller.Create({ sandboxId: "vm-1", sandboxer: "shim", annotations: { "io.katacontainers.config.hypervisor.default_vcpus": "8" }, sandbox: { sandboxId: "vm-1", runtime: { name: "io.containerd.kata.v2" } } }, md(), cb));
      const started = await unary<{ pid: number; address: string; version: number }>((cb) => controller.Start({ sandboxId: "vm-1", sandboxer: "shim" }, md(), cb));
      expect(started).toMatchObject({ pid: 4242, address: "ttrpc+unix:///run/vm-1.sock", version: 3 });
      const status = await unary<{ state: string }>((cb) => controller.Status({ sandboxId: "vm-1", verbose: false, sandboxer: "shim" }, md(), cb));
      expect(status.state).toBe("SANDBOX_READY");
      const listed = await unary<{ list: Array<{ sandboxId: string; runtime: { name: string } | null; labels: Record<string, string> }> }>((cb) => store.List({ filters: [] }, md(), cb));
      expect(listed.list[0]).toMatchObject({ sandboxId: "vm-1", runtime: { name: "io.containerd.kata.v2" }, labels: { "hypercell.io/session": "s1" } });
      expect(seen.map((s) => s.method)).toEqual(["Create", "Start", "Status", "List"]);
      expect(seen.every((s) => s.namespace === "hypercell")).toBe(true);
      expect(seen[0]!.request).toMatchObject({ sandboxId: "vm-1", sandboxer: "shim", annotations: { "io.katacontainers.config.hypervisor.default_vcpus": "8" }, sandbox: { runtime: { name: "io.containerd.kata.v2" } } });
    } finally {
      controller.close();
      store.close();
      await new Promise<void>((r) => server.tryShutdown(() => r()));
    }
  });
});
