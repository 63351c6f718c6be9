// ContainerdSandboxRuntime against a real containerd (Debian's containerd + runc) started for this
// file with its own directories, and a busybox image built on this machine. runc stands in for
// the Kata shim. Without containerd, runc or busybox every test here fails with what to install.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { ContainerdClient } from "./containerd-client";
import { startContainerdDaemon, type ContainerdDaemon } from "./containerd-daemon";
import { ContainerdSandboxRuntime, runcTaskOptions } from "./containerd-sandbox-runtime";
import { buildBusyboxImage, importOciImage, type OciImage } from "./oci-image";
import { sandboxRuntimeContract } from "./sandbox-runtime.contract";
import { RUNC_RUNTIME } from "./sandbox-runtime";

const IMAGE = "hypercell.local/busybox:test";
const NAMESPACE = "hypercell-it";

let daemon: ContainerdDaemon | undefined;
let image: OciImage | undefined;

beforeAll(async () => {
  daemon = await startContainerdDaemon();
  image = buildBusyboxImage();
  const client = new ContainerdClient({ address: daemon.address, namespace: NAMESPACE });
  try {
    await importOciImage(client, image, IMAGE);
  } finally {
    client.close();
  }
});
afterAll(async () => {
  await daemon?.stop();
});

function running(): ContainerdDaemon {
  if (!daemon) throw new Error("containerd did not start (see the beforeAll error above)");
  return daemon;
}

function runtime(namespace = NAMESPACE): ContainerdSandboxRuntime {
  const d = running();
  return new ContainerdSandboxRuntime({ address: d.address, namespace, taskOptions: runcTaskOptions({ root: d.runcRoot }) });
}

sandboxRuntimeContract("ContainerdSandboxRuntime", async () => {
  const rt = runtime();
  return { runtime: rt, image: IMAGE, runtimeName: RUNC_RUNTIME, realMounts: true, cgroupParent: running().cgroupParent, cleanup: async () => rt.close() };
});

describe("ContainerdSandboxRuntime on a real containerd", () => {
  it("imports the image idempotently and resolves index → manifest → layers", async () => {
    const rt = runtime();
    try {
      await importOciImage(rt.client, image!, IMAGE);
      const resolved = await rt.resolveImage(IMAGE);
      expect(resolved.config.digest).toBe(image!.config.digest);
      expect(resolved.layers.map((l) => l.digest)).toEqual(image!.layers.map((l) => l.digest));
      expect(resolved.diffIds).toEqual(image!.diffIds);
    } finally {
      rt.close();
    }
  });

  it("leaves nothing in containerd after teardown: no container, no task, no snapshot for the key, no lease", async () => {
    const rt = runtime();
    const raw = rt.client;
    try {
      const id = `leak-check-${Date.now().toString(36)}`;
      const key = `${id}-rootfs`;
      await rt.prepareRootfs(IMAGE, key);
      await rt.createContainer({ id, image: IMAGE, runtime: RUNC_RUNTIME, spec: { ociVersion: "1.0.2", process: { args: ["/bin/true"], cwd: "/" }, root: { path: "rootfs" } }, labels: {}, snapshotKey: key });
      await rt.deleteContainer(id);
      const containers = await raw.unary<{ containers: Array<{ id: string }> }>("containers", "List", { filters: [] }, { action: "list", object: "containers" });
      expect(containers.containers.map((c) => c.id)).not.toContain(id);
      const tasks = await raw.unary<{ tasks: Array<{ containerId: string }> }>("tasks", "List", { filter: "" }, { action: "list", object: "tasks" });
      expect(tasks.tasks.map((t) => t.containerId)).not.toContain(id);
      const snaps = await raw.collect<{ info: Array<{ name: string; kind: string }> }>("snapshots", "List", { snapshotter: "overlayfs", filters: [] }, { action: "list", object: "snapshots" });
      const names = snaps.flatMap((s) => s.info.map((i) => i.name));
      expect(names).not.toContain(key);
      // Only the committed layer snapshot stays (kept for the image, as containerd's unpack does).
      expect(snaps.flatMap((s) => s.info).every((i) => i.kind === "COMMITTED")).toBe(true);
      const leases = await raw.unary<{ leases: Array<{ id: string }> }>("leases", "List", { filters: [] }, { action: "list", object: "leases" });
      expect(leases.leases).toEqual([]);
    } finally {
      rt.close();
    }
  });

  it("says so clearly when containerd is not there", async () => {
    const rt = new ContainerdSandboxRuntime({ address: "unix:///nonexistent/hypercell-containerd.sock", namespace: NAMESPACE, timeoutMs: 2_000 });
    try {
      const err = await rt.listContainers().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAppError(err) && err.code).toBe("RUNTIME_ERROR");
      expect((err as Error).message).toMatch(/containerd is not reachable at unix:\/\/\/nonexistent\/hypercell-containerd\.sock.*is the daemon running/);
    } finally {
      rt.close();
    }
  });

  it("reports the missing Sandbox API of containerd 1.6 as RUNTIME_ERROR naming the version it needs", async () => {
    const raw = new ContainerdClient({ address: running().address, namespace: NAMESPACE });
    try {
      const err = await raw.unary("sandboxStore", "List", { filters: [] }, { action: "list sandboxes", object: "sandboxes" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAppError(err) && err.code).toBe("RUNTIME_ERROR");
      expect((err as Error).message).toMatch(/needs containerd 1\.7 or newer.*UNIMPLEMENTED/);
    } finally {
      raw.close();
    }
  });

  it("keeps namespaces apart: another namespace sees none of ours", async () => {
    const other = runtime(`${NAMESPACE}-other`);
    try {
      await other.ensureNamespace();
      expect(await other.listContainers()).toEqual([]);
      const err = await other.prepareRootfs(IMAGE, "x").then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAppError(err) && err.code).toBe("NOT_FOUND");
    } finally {
      other.close();
    }
  });
});
