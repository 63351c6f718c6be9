// A session kernel really running: KernelManager → KataKernelCreationContext → ContainerdSandboxRuntime
// against a private containerd daemon, with runc standing in for the Kata shim (kata-runtime-class is
// set to runc's runtime name) and a busybox image built on this machine. The spec is the one the
// creation context renders for Kata, unchanged but for the command. Without containerd, runc or
// busybox every test here fails with what to install.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAgentConfig, type AgentConfig } from "../config/agent-config";
import type { HostInventory } from "../../domain/topology/inventory";
import type { KernelCreationSpec } from "../kata/kata-kernel-creation-context";
import { startContainerdDaemon, type ContainerdDaemon } from "../drivers/runtime/containerd-daemon";
import { ContainerdSandboxRuntime, runcTaskOptions } from "../drivers/runtime/containerd-sandbox-runtime";
import { buildBusyboxImage, importOciImage } from "../drivers/runtime/oci-image";
import { RUNC_RUNTIME, type CreateContainerInput, type SandboxRuntime } from "../drivers/runtime/sandbox-runtime";
import { containerIdFor, KernelManager, type KernelEvent, type KernelStatus } from "./kernel-manager";

const IMAGE = "hypercell.local/busybox:kernel-it";
const NAMESPACE = "hypercell-kernels-it";
const MiB = 1024 * 1024;

let daemon: ContainerdDaemon | undefined;
let stateDir: string;
let config: AgentConfig;

beforeAll(async () => {
  stateDir = mkdtempSync(path.join(os.tmpdir(), "hypercell-kernel-it-"));
  config = parseAgentConfig(
    `[agent]\ncontroller-address = "127.0.0.1:6100"\nstate-dir = "${stateDir}"\n\n[kata]\nkata-runtime-class = "${RUNC_RUNTIME}"\nconfidential-guest = false\n`,
    { hostname: "kernel-it" },
  );
  daemon = await startContainerdDaemon();
  const rt = runtime();
  try {
    await rt.ensureNamespace();
    await importOciImage(rt.client, buildBusyboxImage(), IMAGE);
    await unpackOnce(rt);
  } finally {
    rt.close();
  }
});

/**
 * Unpacks the image's layers before the test, and leaves nothing else behind. ContainerdSandboxRuntime
 * .prepareRootfs has a race on a layer's FIRST unpack: it releases the unpack lease before labelling
 * the image config with the layer snapshot, so containerd's GC can take the fresh snapshot in between
 * and the Prepare fails with "parent snapshot … does not exist" (seen in about half the runs here).
 * Once the layers are labelled, later prepares are safe; retry the first one until it is.
 */
async function unpackOnce(rt: ContainerdSandboxRuntime) {
  for (let attempt = 1; ; attempt++) {
    const id = `unpack-${attempt}`;
    try {
      await rt.prepareRootfs(IMAGE, id);
      await rt.createContainer({ id, image: IMAGE, runtime: RUNC_RUNTIME, spec: { ociVersion: "1.0.2", process: { args: ["/bin/true"], cwd: "/" }, root: { path: "rootfs" } }, labels: {}, snapshotKey: id });
      await rt.deleteContainer(id);
      return;
    } catch (e) {
      if (attempt >= 5) throw e;
    }
  }
}
afterAll(async () => {
  await daemon?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

function runtime(): ContainerdSandboxRuntime {
  if (!daemon) throw new Error("containerd did not start (see the beforeAll error above)");
  return new ContainerdSandboxRuntime({ address: daemon.address, namespace: NAMESPACE, taskOptions: runcTaskOptions({ root: daemon.runcRoot }) });
}

/**
 * The spec's RLIMIT_NOFILE of 1048576 is right for the guest (the kata-agent sets it as root of the
 * VM), but runc applies it on this host, and raising a hard limit needs CAP_SYS_RESOURCE, which a
 * CI sandbox may not grant. Cap it at this process's own hard limit there; nothing else changes.
 */
function fitRlimitsToThisHost(rt: ContainerdSandboxRuntime): SandboxRuntime {
  const hard = Number(/^Max open files\s+\S+\s+(\d+)/m.exec(readFileSync("/proc/self/limits", "utf8"))?.[1] ?? Infinity);
  return new Proxy(rt, {
    get(target, prop, receiver) {
      if (prop !== "createContainer") {
        const v = Reflect.get(target, prop, receiver) as unknown;
        return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      return (input: CreateContainerInput) => {
        const spec = structuredClone(input.spec) as { process?: { rlimits?: { type: string; hard: number; soft: number }[] } };
        for (const r of spec.process?.rlimits ?? []) {
          if (r.type === "RLIMIT_NOFILE" && r.hard > hard) Object.assign(r, { hard, soft: Math.min(r.soft, hard) });
        }
        return target.createContainer({ ...input, spec: spec as CreateContainerInput["spec"] });
      };
    },
  });
}

/** Counts the calls that change something in containerd; recovery must make none. */
function counting(rt: SandboxRuntime) {
  const calls: string[] = [];
  const mutating = new Set(["prepareRootfs", "createContainer", "startTask", "kill", "deleteTask", "deleteContainer"]);
  const proxy = new Proxy(rt, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof v !== "function") return v;
      return (...args: unknown[]) => {
        if (mutating.has(String(prop))) calls.push(String(prop));
        return (v as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { runtime: proxy, calls };
}

const NO_GPUS: HostInventory = { formatVersion: 1, iommuEnabled: true, iommuUnits: [], devices: [], gpus: [], iommuGroups: [], nvswitches: [], warnings: [] };

function spec(kernelId: string): KernelCreationSpec {
  return {
    sessionId: "s-kernel-it",
    kernelId,
    clusterRole: "main",
    clusterIdx: 0,
    clusterHostname: "main1",
    clusterSize: 1,
    members: [{ hostname: "main1", address: null }],
    image: IMAGE,
    startupCommand: null,
    sessionType: "interactive",
    slots: { cpu: 1, memBytes: 512 * MiB },
    gpus: [],
    vfolders: [],
    environ: {},
    confidential: false,
    command: ["/bin/sh", "-c", "echo hello-from-kernel; sleep 30"],
  };
}

async function until<T>(what: string, f: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("KernelManager on a real containerd (runc for the Kata shim)", () => {
  it("runs a kernel, recovers it from labels without touching containerd, and destroys it leaving nothing", async () => {
    const kernelId = `k-${Date.now().toString(36)}`;
    const containerId = containerIdFor(kernelId);
    const events: KernelEvent[] = [];
    const logs: string[] = [];
    const rt = runtime();
    const raw = rt.client;
    const manager = new KernelManager({ config, runtime: fitRlimitsToThisHost(rt), emit: (e) => events.push(e), log: (m) => logs.push(m) });
    try {
      const created = await manager.create(spec(kernelId), NO_GPUS);
      expect(created.containerId).toBe(containerId);
      const last = () => events.filter((e) => e.kernelId === kernelId).at(-1)?.status;
      const settled = await until("the kernel to run", () => (["RUNNING", "ERROR", "TERMINATED"].includes(last() ?? "") ? last() : undefined));
      expect(settled, `events: ${JSON.stringify(events)}; log: ${logs.join(" | ")}`).toBe("RUNNING");
      expect(events.map((e) => e.status)).toEqual<KernelStatus[]>(["PREPARING", "PULLING", "CREATING", "RUNNING"]);

      const scratch = path.join(stateDir, "scratch", kernelId);
      const kernelLog = path.join(scratch, "logs", "kernel.log");
      await until("the kernel's output", () => (existsSync(kernelLog) && readFileSync(kernelLog, "utf8").includes("hello-from-kernel") ? true : undefined), 10_000);
      expect((await rt.getTask(containerId)).status).toBe("running");
      // The config share the guest would see is there, as the creation context wrote it.
      expect(readFileSync(path.join(scratch, "config", "environ.txt"), "utf8")).toContain(`BACKENDAI_KERNEL_ID=${kernelId}`);

      // A restarted agent: a fresh manager on a fresh connection finds the kernel from its labels alone.
      const fresh = counting(runtime());
      const recovered = new KernelManager({ config, runtime: fresh.runtime, emit: () => {}, log: () => {} });
      try {
        expect(await recovered.recover()).toBe(1);
        expect(recovered.list()).toEqual([{ kernelId, sessionId: "s-kernel-it", containerId, status: "RUNNING", gpuAddresses: [] }]);
        expect(fresh.calls).toEqual([]);
      } finally {
        (fresh.runtime as ContainerdSandboxRuntime).close();
      }

      expect(await manager.destroy(kernelId, "user-requested")).toBe(true);
      expect(events.map((e) => e.status).slice(-2)).toEqual<KernelStatus[]>(["TERMINATING", "TERMINATED"]);
      expect(manager.list()).toEqual([]);

      const containers = await raw.unary<{ containers: Array<{ id: string }> }>("containers", "List", { filters: [] }, { action: "list", object: "containers" });
      expect(containers.containers.map((c) => c.id)).not.toContain(containerId);
      const tasks = await raw.unary<{ tasks: Array<{ containerId: string }> }>("tasks", "List", { filter: "" }, { action: "list", object: "tasks" });
      expect(tasks.tasks.map((t) => t.containerId)).not.toContain(containerId);
      const snaps = await raw.collect<{ info: Array<{ name: string; kind: string }> }>("snapshots", "List", { snapshotter: "overlayfs", filters: [] }, { action: "list", object: "snapshots" });
      expect(snaps.flatMap((s) => s.info.map((i) => i.name))).not.toContain(kernelId);
      // Only the image's committed layer snapshot stays.
      expect(snaps.flatMap((s) => s.info).every((i) => i.kind === "COMMITTED")).toBe(true);
      const leases = await raw.unary<{ leases: Array<{ id: string }> }>("leases", "List", { filters: [] }, { action: "list", object: "leases" });
      expect(leases.leases).toEqual([]);
      expect(existsSync(scratch)).toBe(false);
    } finally {
      await manager.destroy(kernelId, "test cleanup").catch(() => {});
      rt.close();
    }
  });
});
