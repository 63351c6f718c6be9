// One suite every SandboxRuntime passes: FakeSandboxRuntime (unit project) and
// ContainerdSandboxRuntime against a real containerd with runc (it project). If the fake drifts
// from containerd's behaviour, one of the two runs fails here.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAppError } from "../../../errors";
import { minimalRuntimeSpec } from "./minimal-runtime-spec";
import type { RuntimeEvent, RuntimeEventStream, SandboxRuntime } from "./sandbox-runtime";

export interface RuntimeHarness {
  runtime: SandboxRuntime;
  /** An image the runtime can prepare a rootfs from (already imported). */
  image: string;
  /** containerd runtime name to create containers with (runc in tests). */
  runtimeName: string;
  /** True when snapshot mounts are real overlay mounts of this machine. */
  realMounts: boolean;
  /** cgroup parent for the test tasks (the daemon removes it when it stops). */
  cgroupParent: string;
  cleanup(): Promise<void>;
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function expectAppError(p: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  const err = await rejection(p);
  expect(err, "expected the call to reject").toBeDefined();
  expect(isAppError(err) ? err.code : err, (err as Error | undefined)?.message).toBe(code);
  if (message) expect((err as Error).message).toMatch(message);
}

/** Reads events until `match` or the timeout; returns everything seen. */
async function until(stream: RuntimeEventStream, match: (e: RuntimeEvent) => boolean, ms = 10_000): Promise<RuntimeEvent[]> {
  const seen: RuntimeEvent[] = [];
  const it = stream[Symbol.asyncIterator]();
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const next = await Promise.race([it.next(), new Promise<"timeout">((r) => setTimeout(() => r("timeout"), deadline - Date.now()))]);
    if (next === "timeout" || next.done) break;
    seen.push(next.value);
    if (match(next.value)) return seen;
  }
  throw new Error(`event not seen within ${ms} ms; saw ${JSON.stringify(seen.map((e) => `${e.type}:${e.containerId}`))}`);
}

export function sandboxRuntimeContract(name: string, makeHarness: () => Promise<RuntimeHarness>): void {
  describe(`${name} (SandboxRuntime contract)`, () => {
    let h: RuntimeHarness;
    let outDir: string;
    let seq = 0;
    const uid = (p: string) => `${p}-${process.pid}-${Date.now().toString(36)}-${seq++}`;

    beforeAll(async () => {
      h = await makeHarness();
      outDir = mkdtempSync(path.join(tmpdir(), "hypercell-runtime-out-"));
      await h.runtime.ensureNamespace();
    });
    afterAll(async () => {
      if (outDir) rmSync(outDir, { recursive: true, force: true });
      await h?.cleanup();
    });

    async function createKernel(args: string[], labels: Record<string, string> = {}) {
      const id = uid("k");
      const snapshotKey = `${id}-rootfs`;
      const mounts = await h.runtime.prepareRootfs(h.image, snapshotKey);
      const info = await h.runtime.createContainer({
        id,
        image: h.image,
        runtime: h.runtimeName,
        spec: minimalRuntimeSpec({ args, cgroupsPath: `/${h.cgroupParent}/${id}` }),
        labels,
        snapshotKey,
      });
      return { id, snapshotKey, mounts, info, stdout: path.join(outDir, `${id}.out`), stderr: path.join(outDir, `${id}.err`) };
    }

    async function teardown(id: string) {
      const task = await rejection(h.runtime.getTask(id)).then((e) => (e ? undefined : true));
      if (task) {
        const t = await h.runtime.getTask(id);
        if (t.status !== "stopped") {
          await h.runtime.kill(id, "SIGKILL").catch(() => undefined);
          await h.runtime.wait(id);
        }
        await h.runtime.deleteTask(id);
      }
      await h.runtime.deleteContainer(id);
    }

    it("ensureNamespace is idempotent", async () => {
      await h.runtime.ensureNamespace();
      await h.runtime.ensureNamespace();
    });

    it("runs a task to completion, writes its output, and tears down leaving nothing", async () => {
      const k = await createKernel(["/bin/sh", "-c", "echo hello-from-hypercell"]);
      expect(k.mounts.length).toBeGreaterThan(0);
      if (h.realMounts) expect(k.mounts[0]!.type).toBe("overlay");
      expect(await h.runtime.hasRootfs(k.snapshotKey)).toBe(true);

      const pid = await h.runtime.startTask({ containerId: k.id, stdoutPath: k.stdout, stderrPath: k.stderr });
      expect(pid).toBeGreaterThan(0);
      const exit = await h.runtime.wait(k.id);
      expect(exit.exitStatus).toBe(0);
      expect(exit.exitedAt).toBeInstanceOf(Date);
      expect(readFileSync(k.stdout, "utf8")).toBe("hello-from-hypercell\n");
      expect(readFileSync(k.stderr, "utf8")).toBe("");
      const stopped = await h.runtime.getTask(k.id);
      expect(stopped.status).toBe("stopped");
      expect(stopped.exitStatus).toBe(0);

      const deleted = await h.runtime.deleteTask(k.id);
      expect(deleted.exitStatus).toBe(0);
      await h.runtime.deleteContainer(k.id);

      expect((await h.runtime.listContainers()).map((c) => c.id)).not.toContain(k.id);
      expect((await h.runtime.listTasks()).map((t) => t.containerId)).not.toContain(k.id);
      expect(await h.runtime.hasRootfs(k.snapshotKey)).toBe(false);
      await expectAppError(h.runtime.getTask(k.id), "NOT_FOUND");
      await expectAppError(h.runtime.getContainer(k.id), "NOT_FOUND");
    });

    it("stops a long-running task with SIGTERM (exit 143) and refuses to delete it while it runs", async () => {
      // pid 1 of a pid namespace ignores SIGTERM unless it handles it, hence the trap.
      const k = await createKernel(["/bin/sh", "-c", "trap 'exit 143' TERM; echo ready; sleep 60 & wait"]);
      try {
        await h.runtime.startTask({ containerId: k.id, stdoutPath: k.stdout, stderrPath: k.stderr });
        expect((await h.runtime.getTask(k.id)).status).toBe("running");
        await expectAppError(h.runtime.deleteTask(k.id), "PRECONDITION_FAILED", /still running/);
        await expectAppError(h.runtime.deleteContainer(k.id), "PRECONDITION_FAILED", /still has a task/);
        // Signal only once the trap is installed (the shell says "ready" after it).
        const deadline = Date.now() + 10_000;
        while (!readFileSync(k.stdout, "utf8").includes("ready") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        await h.runtime.kill(k.id, "SIGTERM");
        const exit = await h.runtime.wait(k.id);
        expect(exit.exitStatus).toBe(143);
        await expectAppError(h.runtime.kill(k.id, "SIGTERM"), "NOT_FOUND");
      } finally {
        await teardown(k.id);
      }
    });

    it("maps errors: duplicate container → CONFLICT, missing container → NOT_FOUND, missing image → NOT_FOUND", async () => {
      const k = await createKernel(["/bin/true"]);
      try {
        await expectAppError(
          h.runtime.createContainer({ id: k.id, image: h.image, runtime: h.runtimeName, spec: minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: `/${h.cgroupParent}/never-started` }), labels: {}, snapshotKey: k.snapshotKey }),
          "CONFLICT",
          new RegExp(`container "${k.id}" already exists`),
        );
        await expectAppError(h.runtime.prepareRootfs(h.image, k.snapshotKey), "CONFLICT", /already exists/);
      } finally {
        await teardown(k.id);
      }
      const ghost = uid("ghost");
      await expectAppError(h.runtime.startTask({ containerId: ghost, stdoutPath: path.join(outDir, "g.out"), stderrPath: path.join(outDir, "g.err") }), "NOT_FOUND", new RegExp(`container "${ghost}" does not exist`));
      await expectAppError(h.runtime.deleteContainer(ghost), "NOT_FOUND", new RegExp(ghost));
      await expectAppError(h.runtime.wait(ghost), "NOT_FOUND");
      await expectAppError(h.runtime.prepareRootfs("hypercell.local/no-such-image:1", uid("s")), "NOT_FOUND", /no-such-image.*import or pull/);
      await expectAppError(
        h.runtime.createContainer({ id: ghost, image: h.image, runtime: h.runtimeName, spec: minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: `/${h.cgroupParent}/never-started` }), labels: {}, snapshotKey: uid("never-prepared") }),
        "NOT_FOUND",
        /call prepareRootfs/,
      );
    });

    it("round-trips labels and lists containers by label", async () => {
      const session = uid("sess");
      const a = await createKernel(["/bin/true"], { "hypercell.io/session": session, "hypercell.io/kernel": "main", "hypercell.io/gpu-pci": "0000:17:00.0,0000:65:00.0" });
      const b = await createKernel(["/bin/true"], { "hypercell.io/session": session, "hypercell.io/kernel": "sub1" });
      const other = await createKernel(["/bin/true"], { "hypercell.io/session": uid("other") });
      try {
        expect((await h.runtime.getContainer(a.id)).labels).toEqual({ "hypercell.io/session": session, "hypercell.io/kernel": "main", "hypercell.io/gpu-pci": "0000:17:00.0,0000:65:00.0" });
        expect(a.info.runtime).toBe(h.runtimeName);
        expect(a.info.snapshotKey).toBe(a.snapshotKey);
        const bySession = await h.runtime.listContainers({ "hypercell.io/session": session });
        expect(bySession.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
        const byBoth = await h.runtime.listContainers({ "hypercell.io/session": session, "hypercell.io/kernel": "main" });
        expect(byBoth.map((c) => c.id)).toEqual([a.id]);
        expect(await h.runtime.listContainers({ "hypercell.io/session": "nobody" })).toEqual([]);
        expect((await h.runtime.listContainers()).map((c) => c.id)).toEqual(expect.arrayContaining([a.id, b.id, other.id]));
      } finally {
        for (const k of [a, b, other]) await teardown(k.id);
      }
    });

    it("streams task start and exit events", async () => {
      const stream = await h.runtime.subscribe();
      try {
        const k = await createKernel(["/bin/sh", "-c", "exit 3"]);
        try {
          const pid = await h.runtime.startTask({ containerId: k.id, stdoutPath: k.stdout, stderrPath: k.stderr });
          const seen = await until(stream, (e) => e.type === "task-exit" && e.containerId === k.id);
          const start = seen.find((e) => e.type === "task-start" && e.containerId === k.id);
          expect(start).toMatchObject({ type: "task-start", pid });
          expect(seen[seen.length - 1]).toMatchObject({ type: "task-exit", containerId: k.id, pid, exitStatus: 3 });
          expect((await h.runtime.wait(k.id)).exitStatus).toBe(3);
        } finally {
          await teardown(k.id);
        }
      } finally {
        stream.close();
      }
      // A closed stream ends its iteration.
      expect((await stream[Symbol.asyncIterator]().next()).done).toBe(true);
    });
  });
}
