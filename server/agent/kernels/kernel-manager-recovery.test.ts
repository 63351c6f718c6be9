// KernelManager.recover() against what a dead agent left in a persistent simulated runtime: a running
// VM is adopted and followed (its later exit is reported, as for a VM booted by this manager), a VM
// caught booting (task created, never started) and a container without a task are reported ended, and
// recovery itself creates and deletes nothing.
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseAgentConfig } from "../config/agent-config";
import { KATA_RUNTIME } from "../drivers/runtime/sandbox-runtime";
import { renderKernelLabels } from "../kata/kernel-labels";
import { containerIdFor, KernelManager, type KernelEvent } from "./kernel-manager";
import { SIM_RUNTIME_STATE_FILE } from "./persistent-runtime-store";
import { SimulatedKataRuntime } from "./simulated-kata-runtime";
import { AppError } from "../../errors";

const dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-recover-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = path.join(dir, SIM_RUNTIME_STATE_FILE);
const config = parseAgentConfig(`[agent]\ncontroller-address = "127.0.0.1:6100"\nstate-dir = "${dir}"\n\n[kata]\nconfidential-guest = false\n`, { hostname: "recover-test" });
const IMAGE = "ngc/pytorch:24.08-py3";
const ids = { running: "11111111-1111-4111-8111-111111111111", booting: "22222222-2222-4222-8222-222222222222", noTask: "33333333-3333-4333-8333-333333333333" };

async function leave(rt: SimulatedKataRuntime, kernelId: string, gpu: string) {
  await rt.prepareRootfs(IMAGE, kernelId);
  const labels = renderKernelLabels({ sessionId: `s-${kernelId}`, kernelId, clusterRole: "main", clusterIdx: 0, pciAddresses: [gpu], iommuGroups: [], nicAddresses: [] });
  await rt.createContainer({ id: containerIdFor(kernelId), image: IMAGE, runtime: KATA_RUNTIME, spec: { ociVersion: "1.1.0", process: { args: ["/bin/sh", "-c", "sleep infinity"] } }, labels, snapshotKey: kernelId });
  return { containerId: containerIdFor(kernelId), stdoutPath: path.join(dir, `${kernelId}.log`), stderrPath: path.join(dir, `${kernelId}.log`) };
}

describe("KernelManager.recover with a persistent simulated runtime", () => {
  it("adopts a running VM and reports its later exit; a booting VM and a bare container are reported ended; nothing is created or deleted", async () => {
    const before = new SimulatedKataRuntime({ stateFile: file, timeScale: 0.001 });
    await before.startTask(await leave(before, ids.running, "0000:17:00.0"));
    void before.startTask(await leave(before, ids.booting, "0000:65:00.0")).catch(() => {}); // the agent "dies" while this VM boots
    await leave(before, ids.noTask, "0000:ca:00.0");

    const rt = new SimulatedKataRuntime({ stateFile: file, timeScale: 0.001 });
    const counts = () => Object.fromEntries((["createContainer", "startTask", "deleteContainer", "deleteTask", "kill", "prepareRootfs"] as const).map((m) => [m, rt.callCount(m)]));
    const atStart = counts();
    const events: KernelEvent[] = [];
    const km = new KernelManager({ config, runtime: rt, emit: (e) => events.push(e), log: () => {} });
    expect(await km.recover()).toBe(3);
    expect(Object.fromEntries(km.list().map((k) => [k.kernelId, k.status]))).toEqual({ [ids.running]: "RUNNING", [ids.booting]: "TERMINATED", [ids.noTask]: "TERMINATED" });
    expect([...km.allocatedAddresses()].sort()).toEqual(["0000:17:00.0", "0000:65:00.0", "0000:ca:00.0"]);
    expect(counts()).toEqual(atStart);
    expect(events).toEqual([]);

    // The adopted VM dies (guest panic, OOM): the manager says so, as it would for a VM it booted.
    await rt.kill(containerIdFor(ids.running), "SIGKILL");
    await expect.poll(() => events).toEqual([expect.objectContaining({ kernelId: ids.running, status: "ERROR", reason: "the kernel exited with 137", exitCode: 137 })]);
  });

  it("does not mistake a runtime that cannot answer for a VM that is gone: recovery fails, reports nothing, removes nothing", async () => {
    const rt = new SimulatedKataRuntime({ stateFile: file, timeScale: 0.001 });
    const deletes = rt.callCount("deleteContainer");
    rt.failNext("getTask", new AppError("RUNTIME_ERROR", "containerd is not reachable at unix:///run/containerd/containerd.sock"));
    const events: KernelEvent[] = [];
    const km = new KernelManager({ config, runtime: rt, emit: (e) => events.push(e), log: () => {} });
    await expect(km.recover()).rejects.toThrow(/cannot recover kernel [0-9a-f-]+: the runtime did not say whether container \S+ still has a task \(containerd is not reachable/);
    expect(events).toEqual([]);
    expect(rt.callCount("deleteContainer")).toBe(deletes);
  });
});
