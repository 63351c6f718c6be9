// The private daemon cleans up after itself even when a test leaves a task running: no process,
// mount, cgroup, shim socket or directory survives stop(). Its own daemon, for this file only.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CONTAINERD_MISSING_MESSAGE, mountsUnder, startContainerdDaemon } from "./containerd-daemon";
import { ContainerdSandboxRuntime, runcTaskOptions } from "./containerd-sandbox-runtime";
import { minimalRuntimeSpec } from "./minimal-runtime-spec";
import { buildBusyboxImage, importOciImage } from "./oci-image";
import { RUNC_RUNTIME } from "./sandbox-runtime";

describe("startContainerdDaemon", () => {
  it("fails with what to install when the binary is missing", async () => {
    await expect(startContainerdDaemon({ binary: "/nonexistent/containerd" })).rejects.toThrow(CONTAINERD_MISSING_MESSAGE);
  });

  it("stops without leftovers even with a task still running", async () => {
    const d = await startContainerdDaemon();
    const base = path.dirname(d.socketPath);
    const out = mkdtempSync(path.join(tmpdir(), "hypercell-daemon-it-"));
    const rt = new ContainerdSandboxRuntime({ address: d.address, namespace: "leftovers", taskOptions: runcTaskOptions({ root: d.runcRoot }) });
    let pid = 0;
    try {
      await rt.ensureNamespace();
      await importOciImage(rt.client, buildBusyboxImage(), "hypercell.local/busybox:test");
      await rt.prepareRootfs("hypercell.local/busybox:test", "orphan-rootfs");
      await rt.createContainer({ id: "orphan", image: "hypercell.local/busybox:test", runtime: RUNC_RUNTIME, spec: minimalRuntimeSpec({ args: ["/bin/sleep", "600"], cgroupsPath: `/${d.cgroupParent}/orphan` }), labels: {}, snapshotKey: "orphan-rootfs" });
      pid = await rt.startTask({ containerId: "orphan", stdoutPath: path.join(out, "o"), stderrPath: path.join(out, "e") });
      expect(mountsUnder(base).length).toBeGreaterThan(0);
    } finally {
      rt.close();
      await d.stop();
      rmSync(out, { recursive: true, force: true });
    }
    expect(pid).toBeGreaterThan(0);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect(mountsUnder(base)).toEqual([]);
    expect(existsSync(base)).toBe(false);
    expect(spawnSync("pgrep", ["-f", base]).stdout.toString().trim()).toBe("");
    expect(existsSync(path.join("/sys/fs/cgroup/memory", d.cgroupParent))).toBe(false);
  });
});
