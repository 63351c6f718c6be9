// The persistent variant of the fake runtime: the same SandboxRuntime contract as the in-memory fake
// and containerd, plus what persistence adds — a second instance on the same file (a restarted agent)
// finds exactly what the first left, running tasks still running and half-made ones as they were, the
// call counters span processes, and a bad file is refused by name instead of forgotten.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { FakeSandboxRuntime } from "../drivers/runtime/fake-sandbox-runtime";
import { minimalRuntimeSpec } from "../drivers/runtime/minimal-runtime-spec";
import { sandboxRuntimeContract } from "../drivers/runtime/sandbox-runtime.contract";
import { KATA_RUNTIME, RUNC_RUNTIME } from "../drivers/runtime/sandbox-runtime";
import { LABEL } from "../kata/kernel-labels";
import { FileRuntimeStore, SIM_RUNTIME_STATE_FILE } from "./persistent-runtime-store";
import { SimulatedKataRuntime } from "./simulated-kata-runtime";

const IMAGE = "hypercell.local/busybox:test";
const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(path.join(os.tmpdir(), "hypercell-sim-state-"));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

sandboxRuntimeContract("FakeSandboxRuntime with a FileRuntimeStore", async () => {
  const file = path.join(tmp(), SIM_RUNTIME_STATE_FILE);
  const runtime = new FakeSandboxRuntime({ images: [IMAGE], store: new FileRuntimeStore(file) });
  return {
    runtime,
    image: IMAGE,
    runtimeName: RUNC_RUNTIME,
    realMounts: false,
    cgroupParent: "hypercell-fake",
    cleanup: async () => {
      runtime.close();
      // Everything the suite made it also removed, and the file says so.
      const left = new FileRuntimeStore(file).load()!;
      expect(left.containers).toEqual([]);
      expect(left.tasks).toEqual([]);
      expect(left.snapshots).toEqual([]);
    },
  };
});

const until = async (what: string, fn: () => boolean, ms = 5_000) => {
  const end = Date.now() + ms;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

async function container(rt: FakeSandboxRuntime, id: string, args: string[], out: string, labels: Record<string, string> = {}) {
  await rt.prepareRootfs(IMAGE, `${id}-rootfs`);
  await rt.createContainer({ id, image: IMAGE, runtime: KATA_RUNTIME, spec: minimalRuntimeSpec({ args, cgroupsPath: `/t/${id}` }), labels, snapshotKey: `${id}-rootfs` });
  return { containerId: id, stdoutPath: path.join(out, `${id}.log`), stderrPath: path.join(out, `${id}.log`) };
}

describe("FileRuntimeStore", () => {
  it("a second instance on the same file sees the same containers, tasks, snapshots, images and counters", async () => {
    const dir = tmp();
    const file = path.join(dir, SIM_RUNTIME_STATE_FILE);
    const a = new FakeSandboxRuntime({ images: [IMAGE], store: new FileRuntimeStore(file) });
    await a.ensureNamespace();
    const running = await container(a, "running", ["/bin/sh", "-c", "echo up; sleep infinity"], dir, { "ai.hypercell.kernel-id": "k1", [LABEL.pciAddresses]: "0000:17:00.0" });
    const runningPid = await a.startTask(running);
    const ended = await container(a, "ended", ["/bin/sh", "-c", "exit 3"], dir);
    await a.startTask(ended);
    await a.wait("ended");
    await container(a, "no-task", ["/bin/true"], dir);
    await a.prepareRootfs(IMAGE, "lonely-rootfs");

    const b = new FakeSandboxRuntime({ store: new FileRuntimeStore(file) });
    expect(b.snapshotState()).toEqual(a.snapshotState());
    expect((await b.listContainers({ "ai.hypercell.kernel-id": "k1" })).map((c) => c.id)).toEqual(["running"]);
    expect(await b.getContainer("running")).toMatchObject({ image: IMAGE, runtime: KATA_RUNTIME, labels: { [LABEL.pciAddresses]: "0000:17:00.0" }, snapshotKey: "running-rootfs" });
    expect(await b.getTask("running")).toEqual({ containerId: "running", pid: runningPid, status: "running" });
    expect(await b.getTask("ended")).toMatchObject({ status: "stopped", exitStatus: 3 });
    await expect(b.getTask("no-task")).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(await b.hasRootfs("lonely-rootfs")).toBe(true);
    expect(b.namespaceExists).toBe(true);
    for (const m of ["ensureNamespace", "prepareRootfs", "createContainer", "startTask"] as const) expect(b.callCount(m)).toBe(a.callCount(m));
    expect(b.callCount("createContainer")).toBe(3);
    expect(b.callCount("deleteContainer")).toBe(0);

    // The task the first instance started is still the same process for the second: it can be stopped there.
    await b.kill("running", "SIGKILL");
    expect((await b.wait("running")).exitStatus).toBe(137);
    await b.deleteTask("running");
    await b.deleteContainer("running");
    // New pids never reuse old ones.
    const again = await container(b, "again", ["/bin/sh", "-c", "sleep infinity"], dir);
    expect(await b.startTask(again)).toBeGreaterThan(runningPid);

    const c = new FakeSandboxRuntime({ store: new FileRuntimeStore(file) });
    expect((await c.listContainers()).map((x) => x.id).sort()).toEqual(["again", "ended", "no-task"]);
    expect(c.callCount("kill")).toBe(1);
    expect(c.callCount("deleteTask")).toBe(1);
    expect(c.callCount("deleteContainer")).toBe(1);
    // Written by rename: no temporary file is ever left beside it.
    expect(readdirSync(dir).filter((f) => f.includes(SIM_RUNTIME_STATE_FILE) && !f.endsWith(".lock")).sort()).toEqual([SIM_RUNTIME_STATE_FILE]); // no temporary file left behind
  });

  it("counts refused calls too, and a kill still pending when the process died takes effect in the next one", async () => {
    const dir = tmp();
    const file = path.join(dir, SIM_RUNTIME_STATE_FILE);
    const a = new FakeSandboxRuntime({ images: [IMAGE], store: new FileRuntimeStore(file) });
    await expect(a.deleteContainer("ghost")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const t = await container(a, "victim", ["/bin/sh", "-c", "sleep infinity"], dir);
    await a.startTask(t);
    await a.kill("victim", "SIGTERM"); // the exit is due 5 ms later; this instance "dies" before it
    const b = new FakeSandboxRuntime({ store: new FileRuntimeStore(file) });
    expect(b.callCount("deleteContainer")).toBe(1);
    expect((await b.wait("victim")).exitStatus).toBe(143);
  });

  it("refuses a file it cannot use, naming it and the fault, and leaves it as it was", () => {
    const dir = tmp();
    const file = path.join(dir, SIM_RUNTIME_STATE_FILE);
    const good = new FakeSandboxRuntime({ images: [IMAGE], store: new FileRuntimeStore(file) });
    const state = { version: 1, ...good.snapshotState() };
    const cases: Array<[string, string, RegExp]> = [
      ["empty", "", /is not valid JSON/],
      ["truncated", JSON.stringify(state).slice(0, 40), /is not valid JSON/],
      ["another version", JSON.stringify({ ...state, version: 7 }), /version 1 \(version: /],
      ["a task without its container", JSON.stringify({ ...state, nextPid: 2000, tasks: [{ containerId: "gone", pid: 1000, status: "running", exitStatus: null, exitedAt: null, pendingExit: null, stdoutPath: "/x" }] }), /inconsistent: tasks\[0\] belongs to container "gone"/],
      ["a bad status", JSON.stringify({ ...state, tasks: [{ containerId: "x", pid: 1, status: "dancing", exitStatus: null, exitedAt: null, pendingExit: null, stdoutPath: "" }] }), /tasks\.0\.status/],
      ["a container without its snapshot", JSON.stringify({ ...state, containers: [{ id: "c", image: IMAGE, runtime: KATA_RUNTIME, labels: {}, snapshotter: "overlayfs", snapshotKey: "nope", createdAt: null, spec: { ociVersion: "1.0.2" } }] }), /uses snapshot "nope"/],
    ];
    for (const [what, text, message] of cases) {
      writeFileSync(file, text);
      let err: unknown;
      try {
        new SimulatedKataRuntime({ stateFile: file });
      } catch (e) {
        err = e;
      }
      expect(err, what).toMatchObject({ code: "PRECONDITION_FAILED" });
      expect((err as Error).message, what).toContain(`simulated runtime state ${file} `);
      expect((err as Error).message, what).toMatch(message);
      expect(readFileSync(file, "utf8"), `${what}: the file is left for a person to look at`).toBe(text);
    }
  });

  it("starts empty, and writes the file, when there is none yet", () => {
    const file = path.join(tmp(), "sub", SIM_RUNTIME_STATE_FILE);
    const rt = new SimulatedKataRuntime({ stateFile: file });
    expect(rt.stateFile).toBe(file);
    expect(existsSync(file)).toBe(true);
    expect(new FileRuntimeStore(file).load()).toMatchObject({ namespace: "hypercell", containers: [], tasks: [], images: [] });
  });
});

describe("SimulatedKataRuntime with a state file", () => {
  it("keeps a VM that was booting as a created task, and a pulled image as pulled", async () => {
    const dir = tmp();
    const file = path.join(dir, SIM_RUNTIME_STATE_FILE);
    const a = new SimulatedKataRuntime({ stateFile: file, timeScale: 0.01 });
    await a.prepareRootfs("ngc/pytorch:24.08-py3", "k1");
    await a.createContainer({ id: "hc-k1", image: "ngc/pytorch:24.08-py3", runtime: KATA_RUNTIME, spec: { ociVersion: "1.1.0", process: { args: ["/usr/bin/python", "-m", "ai.backend.kernel"] } }, labels: { [LABEL.pciAddresses]: "0000:17:00.0" }, snapshotKey: "k1" });
    let booted = false;
    a.onPhase = () => {};
    const start = a.startTask({ containerId: "hc-k1", stdoutPath: path.join(dir, "k1.log"), stderrPath: path.join(dir, "k1.log") }).then(() => (booted = true));
    // While the VM boots, a new process (the restarted agent) sees its task created, not started.
    const b = new SimulatedKataRuntime({ stateFile: file, timeScale: 0.01 });
    expect(await b.getTask("hc-k1")).toMatchObject({ status: "created" });
    expect(b.snapshotState().images).toEqual(["ngc/pytorch:24.08-py3"]);
    expect(b.callCount("startTask")).toBe(1);
    expect(booted).toBe(false);
    await start;
    // And once it booted, as running, with the kernel runner stand-in in its spec.
    const c = new SimulatedKataRuntime({ stateFile: file });
    expect(await c.getTask("hc-k1")).toMatchObject({ status: "running" });
    expect(c.snapshotState().containers[0]!.spec.process).toMatchObject({ args: ["/bin/sh", "-c", "echo simulated kernel runner up; sleep infinity"] });
  });

  it("a VM that fails to boot leaves no task; one killed while booting is not started", async () => {
    const dir = tmp();
    const file = path.join(dir, SIM_RUNTIME_STATE_FILE);
    const rt = new SimulatedKataRuntime({ stateFile: file, timeScale: 0.001, failingGpus: new Map([["0000:17:00.0", "BAR mapping timed out"]]) });
    for (const [id, gpu] of [["bad", "0000:17:00.0"], ["killed", "0000:65:00.0"]] as const) {
      await rt.prepareRootfs(IMAGE, id);
      await rt.createContainer({ id, image: IMAGE, runtime: KATA_RUNTIME, spec: { ociVersion: "1.1.0", process: { args: ["/bin/sh", "-c", "sleep infinity"] } }, labels: { [LABEL.pciAddresses]: gpu }, snapshotKey: id });
    }
    const log = path.join(dir, "x.log");
    await expect(rt.startTask({ containerId: "bad", stdoutPath: log, stderrPath: log })).rejects.toMatchObject({ code: "RUNTIME_ERROR", message: /BAR mapping timed out \(GPU 0000:17:00.0\)/ });
    await expect(rt.getTask("bad")).rejects.toMatchObject({ code: "NOT_FOUND" });
    const booting = rt.startTask({ containerId: "killed", stdoutPath: log, stderrPath: log });
    await until("the task to be created", () => rt.snapshotState().tasks.length === 1);
    await rt.kill("killed", "SIGKILL");
    await expect(booting).rejects.toMatchObject({ code: "RUNTIME_ERROR", message: /cannot be started: it was killed before it started/ });
    expect((await rt.wait("killed")).exitStatus).toBe(137);
    expect(await rt.getTask("killed")).toMatchObject({ status: "stopped", exitStatus: 137 });
    await rt.deleteTask("killed");
    for (const id of ["bad", "killed"]) await rt.deleteContainer(id);
    expect(new FileRuntimeStore(file).load()).toMatchObject({ containers: [], tasks: [], snapshots: [] });
  });
});

describe("FileRuntimeStore's lock", () => {
  it("refuses a state file another live agent holds, and takes over one whose agent is gone", async () => {
    const { spawn } = await import("node:child_process");
    const file = path.join(tmp(), SIM_RUNTIME_STATE_FILE);
    const other = spawn("sleep", ["30"]);
    try {
      writeFileSync(`${file}.lock`, `${other.pid}\n`);
      expect(new FileRuntimeStore(file).load()).toBeNull(); // a reader needs no lock
      expect(() => new FileRuntimeStore(file, { exclusive: true }).load()).toThrow(`simulated runtime state ${file} is in use by another agent (pid ${other.pid}); stop it first, or give this agent its own --state-dir`);
    } finally {
      other.kill("SIGKILL");
    }
    await new Promise((r) => other.once("exit", r));
    // Its holder died (as a SIGKILLed agent does): the lock is stale and taken over.
    expect(new FileRuntimeStore(file, { exclusive: true }).load()).toBeNull();
    expect(readFileSync(`${file}.lock`, "utf8").trim()).toBe(String(process.pid));
  });
});
