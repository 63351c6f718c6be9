// The Sandbox API driver against the real containerd on this machine (Debian's 1.6, which has no
// Sandbox API): detection reads the daemon's real plugin list and version and says no, sandbox
// calls fail with a message naming the containerd they need and this daemon's version, and a
// kernel in the default "auto" mode runs on the task path. What a daemon with the API (1.7+)
// gets is tested over a local gRPC server in containerd-sandbox-api.test.ts. Own daemon for this
// file; without containerd, runc or busybox every test fails with what to install.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { startContainerdDaemon, type ContainerdDaemon } from "./containerd-daemon";
import { SANDBOX_CONTROLLER_PLUGIN, SANDBOX_STORE_PLUGIN } from "./containerd-sandbox-api";
import { ContainerdSandboxRuntime, runcTaskOptions } from "./containerd-sandbox-runtime";
import { hasGrpcCode } from "./containerd-errors";
import { minimalRuntimeSpec } from "./minimal-runtime-spec";
import { buildBusyboxImage, importOciImage } from "./oci-image";
import { RUNC_RUNTIME } from "./sandbox-runtime";

const IMAGE = "hypercell.local/busybox:test";
const NAMESPACE = "hypercell-sandbox-it";

let daemon: ContainerdDaemon | undefined;
let out: string;

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), "hypercell-sandbox-it-"));
  daemon = await startContainerdDaemon();
  const rt = runtime();
  try {
    await rt.ensureNamespace();
    await importOciImage(rt.client, buildBusyboxImage(), IMAGE);
  } finally {
    rt.close();
  }
});
afterAll(async () => {
  await daemon?.stop();
  if (out) rmSync(out, { recursive: true, force: true });
});

function running(): ContainerdDaemon {
  if (!daemon) throw new Error("containerd did not start (see the beforeAll error above)");
  return daemon;
}

/** The default mode ("auto"), as the agent runs it. */
function runtime(): ContainerdSandboxRuntime {
  const d = running();
  return new ContainerdSandboxRuntime({ address: d.address, namespace: NAMESPACE, taskOptions: runcTaskOptions({ root: d.runcRoot }) });
}

/** What `containerd --version` says, e.g. "1.6.20~ds1": the Version service must report the same. */
function installedVersion(): string {
  const words = spawnSync("containerd", ["--version"], { encoding: "utf8" }).stdout.trim().split(/\s+/);
  return words[2]!.replace(/^v/, "");
}

async function rejection(p: Promise<unknown>): Promise<Error & { code?: string }> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  if (!e) throw new Error("expected a rejection");
  return e as Error & { code?: string };
}

describe("Sandbox API detection on the real containerd 1.6", () => {
  it("reads the daemon's plugin list and version, and says there is no Sandbox API", async () => {
    const rt = runtime();
    try {
      expect(rt.sandboxMode).toBe("auto");
      const support = await rt.sandboxApiSupport();
      const version = installedVersion();
      expect(version).toMatch(/^1\.6\./);
      expect(support).toMatchObject({ offered: false, detectedBy: "introspection", sandboxers: [] });
      expect(support.version.replace(/^v/, "")).toBe(version);
      expect(support.revision).not.toBe("");
      expect(support.reason).toBe(`containerd ${support.version} has no loaded ${SANDBOX_STORE_PLUGIN} plugin`);
      expect(await rt.usesSandboxApi(RUNC_RUNTIME)).toBe(false);

      // The verdict comes from a real list: 1.6 serves tasks and containers but no sandbox plugin.
      const plugins = await new Promise<Array<{ type: string; id: string }>>((resolve, reject) =>
        rt.client.service("introspection").Plugins({ filters: [] }, rt.client.metadata(), (e, r) => (e ? reject(e) : resolve(r!.plugins))),
      );
      expect(plugins.map((p) => `${p.type}.${p.id}`)).toEqual(expect.arrayContaining(["io.containerd.grpc.v1.tasks", "io.containerd.grpc.v1.containers", "io.containerd.grpc.v1.introspection"]));
      expect(plugins.some((p) => p.type === SANDBOX_STORE_PLUGIN || p.type === SANDBOX_CONTROLLER_PLUGIN)).toBe(false);

      // What the probe fallback relies on: 1.6 answers UNIMPLEMENTED on both sandbox services.
      for (const [service, method, req] of [
        ["sandboxStore", "List", { filters: [] }],
        ["sandboxController", "Status", { sandboxId: "x", verbose: false, sandboxer: "shim" }],
      ] as const) {
        const err = await new Promise<unknown>((resolve) =>
          (rt.client.service(service) as unknown as Record<string, (r: object, md: grpc.Metadata, cb: (e: unknown) => void) => void>)[method]!(req, rt.client.metadata(), resolve),
        );
        expect(hasGrpcCode(err, grpc.status.UNIMPLEMENTED), `${service}.${method}`).toBe(true);
      }
    } finally {
      rt.close();
    }
  });

  it("sandbox calls fail with the containerd release they need and this daemon's version", async () => {
    const rt = runtime();
    try {
      const spec = minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: `/${running().cgroupParent}/sb` });
      const version = (await rt.sandboxApiSupport()).version;
      const need = new RegExp(
        `the Sandbox API needs containerd 1\\.7 or newer \\(this daemon is ${version.replace(/[.~]/g, "\\$&")}\\); upgrade containerd or run kernels without it \\(sandboxMode "tasks"\\) \\(containerd UNIMPLEMENTED: .*sandbox\\.v1\\.(Store|Controller).*\\)$`,
      );
      const created = await rejection(rt.sandboxes.create({ id: "vm-1", runtime: RUNC_RUNTIME, spec, labels: {} }));
      expect(isAppError(created) && created.code).toBe("RUNTIME_ERROR");
      expect(created.message).toMatch(new RegExp(`^cannot record sandbox \\(sandbox "vm-1", namespace "${NAMESPACE}"\\): `));
      expect(created.message).toMatch(need);
      for (const call of [
        () => rt.sandboxes.list({ "ai.hypercell.session-id": "s1" }),
        () => rt.sandboxes.status("vm-1"),
        () => rt.sandboxes.wait("vm-1"),
        () => rt.sandboxes.stop("vm-1"),
        () => rt.sandboxes.get("vm-1"),
      ]) {
        const err = await rejection(call());
        expect(isAppError(err) && err.code).toBe("RUNTIME_ERROR");
        expect(err.message).toMatch(need);
      }
    } finally {
      rt.close();
    }
  });

  it('runs a kernel on the task path in "auto" mode and leaves nothing behind', async () => {
    const rt = runtime();
    try {
      const id = `auto-${Date.now().toString(36)}`;
      const key = `${id}-rootfs`;
      await rt.prepareRootfs(IMAGE, key);
      const info = await rt.createContainer({
        id,
        image: IMAGE,
        runtime: RUNC_RUNTIME,
        spec: minimalRuntimeSpec({ args: ["/bin/sh", "-c", "echo kernel-via-tasks"], cgroupsPath: `/${running().cgroupParent}/${id}` }),
        labels: { "ai.hypercell.kernel-id": id },
        snapshotKey: key,
      });
      expect(info.sandboxId).toBeUndefined();
      expect((await rt.getContainer(id)).sandboxId).toBeUndefined();
      const log = path.join(out, `${id}.log`);
      const pid = await rt.startTask({ containerId: id, stdoutPath: log, stderrPath: log });
      expect(pid).toBeGreaterThan(0);
      expect((await rt.wait(id)).exitStatus).toBe(0);
      expect(readFileSync(log, "utf8")).toBe("kernel-via-tasks\n");
      await rt.deleteTask(id);
      await rt.deleteContainer(id);
      // Deleting a container that is gone still says NOT_FOUND (the orphan-sandbox check is a no-op here).
      expect(await rejection(rt.deleteContainer(id))).toMatchObject({ code: "NOT_FOUND" });

      expect(await rt.listContainers()).toEqual([]);
      expect(await rt.listTasks()).toEqual([]);
      expect(await rt.hasRootfs(key)).toBe(false);
      const leases = await rt.client.unary<{ leases: unknown[] }>("leases", "List", { filters: [] }, { action: "list", object: "leases" });
      expect(leases.leases).toEqual([]);
    } finally {
      rt.close();
    }
  });
});
