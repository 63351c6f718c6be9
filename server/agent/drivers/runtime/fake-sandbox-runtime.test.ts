// The fake passes the same contract as the real containerd driver, plus what only a fake offers:
// recorded calls and injected failures for the Kata-only paths.
import { describe, expect, it } from "vitest";
import { AppError } from "../../../errors";
import { FakeSandboxRuntime, interpretShell } from "./fake-sandbox-runtime";
import { minimalRuntimeSpec } from "./minimal-runtime-spec";
import { sandboxRuntimeContract } from "./sandbox-runtime.contract";
import { KATA_RUNTIME, RUNC_RUNTIME, runtimeNameFor, signalNumber } from "./sandbox-runtime";

const IMAGE = "hypercell.local/busybox:test";

sandboxRuntimeContract("FakeSandboxRuntime", async () => {
  const runtime = new FakeSandboxRuntime({ images: [IMAGE] });
  return { runtime, image: IMAGE, runtimeName: RUNC_RUNTIME, realMounts: false, cgroupParent: "hypercell-fake", cleanup: async () => runtime.close() };
});

describe("FakeSandboxRuntime", () => {
  it("records calls in order with their arguments", async () => {
    const rt = new FakeSandboxRuntime({ images: [IMAGE] });
    await rt.ensureNamespace();
    await rt.prepareRootfs(IMAGE, "k1-rootfs");
    await rt.createContainer({ id: "k1", image: IMAGE, runtime: KATA_RUNTIME, spec: minimalRuntimeSpec({ args: ["/bin/true"], cgroupsPath: "/t/k1" }), labels: { a: "b" }, snapshotKey: "k1-rootfs" });
    expect(rt.calls.map((c) => c.method)).toEqual(["ensureNamespace", "prepareRootfs", "createContainer"]);
    expect(rt.callsOf("prepareRootfs")[0]!.args).toEqual([IMAGE, "k1-rootfs"]);
    expect(rt.namespaceExists).toBe(true);
  });

  it("rejects the next call of a method with an injected error, once", async () => {
    const rt = new FakeSandboxRuntime({ images: [IMAGE] });
    rt.failNext("prepareRootfs", new AppError("RUNTIME_ERROR", "differ exploded"));
    await expect(rt.prepareRootfs(IMAGE, "s")).rejects.toMatchObject({ code: "RUNTIME_ERROR", message: "differ exploded" });
    await expect(rt.prepareRootfs(IMAGE, "s")).resolves.toHaveLength(1);
    rt.failNext("wait", new AppError("RUNTIME_ERROR", "shim died"));
    await expect(rt.wait("nothing")).rejects.toMatchObject({ message: "shim died" });
  });

  it("interprets the few shell commands tests use", () => {
    expect(interpretShell(["/bin/sh", "-c", "echo hello-from-hypercell"])).toEqual({ stdout: "hello-from-hypercell\n", exitStatus: 0 });
    expect(interpretShell(["/bin/sh", "-c", "echo a; exit 3"])).toEqual({ stdout: "a\n", exitStatus: 3 });
    expect(interpretShell(["/bin/sh", "-c", "trap 'exit 143' TERM; echo ready; sleep 60 & wait"])).toEqual({ stdout: "ready\n" });
    expect(interpretShell(["/bin/true"])).toEqual({ stdout: "", exitStatus: 0 });
  });
});

describe("runtime names and signals", () => {
  it("turns kata-runtime-class into containerd's runtime name", () => {
    expect(runtimeNameFor("kata")).toBe(KATA_RUNTIME);
    expect(runtimeNameFor("kata-clh")).toBe("io.containerd.kata-clh.v2");
    expect(runtimeNameFor("io.containerd.runc.v2")).toBe(RUNC_RUNTIME);
  });
  it("numbers signals the Linux way", () => {
    expect(signalNumber("SIGTERM")).toBe(15);
    expect(signalNumber("SIGKILL")).toBe(9);
    expect(signalNumber(10)).toBe(10);
    expect(() => signalNumber("SIGWINCH")).toThrow(/unknown signal/);
  });
});
