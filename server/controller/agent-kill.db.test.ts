/**
 * SIGKILL of a real agent process in each phase of a launch, and what the next agent process on the
 * same host makes of it. The agent is `hypercell-agent sim` run as its own OS process (node + tsx on the
 * agent CLI, as scripts/start.ts runs simulated hosts); its VMs live in <state-dir>/sim-runtime.json and
 * outlive it, as shim-run Kata VMs outlive a real agent. The controller runs in this process, on its real
 * code path (tRPC launch → scheduler → CreateKernel → Watch events → reconcile on join). The boot is
 * stretched (HYPERCELL_SIM_TIME_SCALE, HYPERCELL_SIM_PREPARE_MS) so that the kernel's status in the
 * database says which phase the agent is in when it is killed; the state file read right after the kill
 * proves it.
 *
 * Observed, per phase the agent dies in (one host, one case after the other):
 *   PREPARING  nothing of the kernel on the host but its scratch directory → the new agent recovers 0
 *              kernels → reconcile on join: ERROR "missing on its host…", GPU released, destroy removes
 *              the scratch directory (its deleteTask and deleteContainer find nothing).
 *   PULLING    the same: the image pull was cut short, no snapshot was made → the same ERROR.
 *   CREATING   a container and its task "created" while the VM booted → the new agent recovers 1
 *              kernel, not running → ERROR "the VM did not survive the agent's restart…", GPU released,
 *              task killed and deleted, container and snapshot deleted.
 *   RUNNING    the VM outlived the agent → recovered running and adopted: the session stays RUNNING on
 *              the same container, pid and GPU, with no prepareRootfs, createContainer, startTask, kill,
 *              deleteTask or deleteContainer call after the restart.
 * No case creates anything after the kill, and each one leaves nothing on the host.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { until } from "../../test/until";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { freePort } from "../lib/free-port";
import { startController, type ControllerHandle } from "./main";
import { reconcileAgent } from "./lifecycle";
import { FileRuntimeStore, SIM_RUNTIME_STATE_FILE } from "../agent/kernels/persistent-runtime-store";
import type { FakeRuntimeState, MutatingMethod } from "../agent/drivers/runtime/fake-sandbox-runtime";
import { containerIdFor } from "../agent/kernels/kernel-manager";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const TOKEN = "agent-kill-join-token-0123456789";
const HOST = "hgx-h100";
// Each phase lasts long enough to be seen in the database and acted on: PREPARING 0.9 s, PULLING (the
// image pull) 0.9 s, CREATING (TDX guest, attestation, one 128 GiB BAR) ≈ 4.6 s.
const SIM_ENV = { HYPERCELL_SIM_TIME_SCALE: "1.5", HYPERCELL_SIM_PREPARE_MS: "600", HYPERCELL_SIM_SCRAPE_INTERVAL_MS: "60000" };
const PHASES = ["PREPARING", "PULLING", "CREATING", "RUNNING"] as const;
const ORDER = ["PENDING", "SCHEDULED", ...PHASES];
const COUNTED: MutatingMethod[] = ["prepareRootfs", "createContainer", "startTask", "kill", "deleteTask", "deleteContainer"];

let t: TestDb;
let ctl: ControllerHandle;
let dir: string;
let stateDir: string;
let stateFile: string;
const log: string[] = [];

/** The agent as an OS process: `hypercell-agent sim` on the same state directory every time. */
class AgentProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<NodeJS.Signals | number | null>;
  constructor(readonly listen: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, ...SIM_ENV, NODE_ENV: "production" };
    delete env.DATABASE_URL; // an agent holds no database credentials
    // node --import tsx rather than tsx's CLI: the CLI runs the script in a child process of its own,
    // which a SIGKILL of the CLI would leave running.
    this.child = spawn(process.execPath, ["--import", "tsx", "server/agent/cli/main.ts", "sim", "--host", HOST, "--controller", ctl.address, "--join-token", TOKEN, "--state-dir", stateDir, "--listen", listen], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    for (const stream of [this.child.stdout!, this.child.stderr!]) createInterface({ input: stream }).on("line", (l) => log.push(`[agent ${this.child.pid}] ${l}`));
    this.exited = new Promise((r) => this.child.once("exit", (code, signal) => r(signal ?? code)));
  }

  /** Starts one and waits until it has recovered, served and joined; returns how many kernels it recovered. */
  static async start(): Promise<{ agent: AgentProcess; recovered: number }> {
    const agent = new AgentProcess(`127.0.0.1:${await freePort()}`);
    const exitedEarly = agent.exited.then((how) => {
      throw new Error(`the agent exited (${how}) before it joined:\n${log.slice(-20).join("\n")}`);
    });
    const joined = until(`the agent on ${agent.listen} to join`, async () => log.some((l) => l === `[ctl] agent ${HOST} joined from ${agent.listen}`), 30_000, 20);
    await Promise.race([joined, exitedEarly]);
    exitedEarly.catch(() => {});
    const line = log.find((l) => l.startsWith(`[agent ${agent.child.pid}]`) && l.includes("kernels from the runtime's labels"));
    return { agent, recovered: Number(/recovered (\d+) kernels/.exec(line ?? "")?.[1]) };
  }

  async kill(): Promise<void> {
    this.child.kill("SIGKILL");
    expect(await this.exited).toBe("SIGKILL");
  }
}

let agent: AgentProcess | null = null;

const state = (): FakeRuntimeState => new FileRuntimeStore(stateFile).load()!;
const counts = (s: FakeRuntimeState) => Object.fromEntries(COUNTED.map((m) => [m, s.calls[m] ?? 0]));
const delta = (a: FakeRuntimeState, b: FakeRuntimeState) => Object.fromEntries(COUNTED.map((m) => [m, (b.calls[m] ?? 0) - (a.calls[m] ?? 0)])) as Record<MutatingMethod, number>;
const zero = Object.fromEntries(COUNTED.map((m) => [m, 0]));

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-agent-kill-"));
  stateDir = path.join(dir, HOST);
  stateFile = path.join(stateDir, SIM_RUNTIME_STATE_FILE);
  // Reconcile only on join (the periodic pass would race it and double the cleanup calls counted here).
  ctl = await startController(
    { DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1", HYPERCELL_RECONCILE_INTERVAL_SEC: "3600" },
    (m) => log.push(`[ctl] ${m}`),
  );
  const first = await AgentProcess.start();
  agent = first.agent;
  expect(first.recovered).toBe(0);
  await until("GPUs ingested", async () => (await t.db.gpu.count({ where: { agentId: HOST, passthrough: "ready" } })) === 7);
});

afterAll(async () => {
  if (agent && agent.child.exitCode === null && agent.child.signalCode === null) {
    agent.child.kill("SIGTERM");
    await Promise.race([agent.exited, new Promise((r) => setTimeout(r, 5_000))]);
    if (agent.child.exitCode === null && agent.child.signalCode === null) agent.child.kill("SIGKILL");
  }
  if (process.env.DEBUG_AGENT_KILL) console.log(log.join("\n"));
  await ctl?.stop();
  await t?.drop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("SIGKILL of the agent process in each phase of a launch", () => {
  for (const phase of PHASES) {
    it(`killed while ${phase}: ${phase === "RUNNING" ? "the VM is adopted, nothing is created or deleted" : "the kernel ends in ERROR and nothing is left on the host"}`, async ({ onTestFailed }) => {
      onTestFailed(() => console.log(`--- controller and agent log (${phase}) ---\n${log.slice(-80).join("\n")}`));
      const owner = await callerAs(t.db, DEMO_USERS.owner.email);
      const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
      const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
      const image = `ngc/pytorch:24.08-kill-at-${phase.toLowerCase()}`;
      const before = state();
      const s = await owner.sessions.create({ projectId: vision.id, resourceGroupId: rg.id, name: `kill-at-${phase.toLowerCase()}`, image, gpus: 1, vcpus: 4, memoryGiB: 16 });

      // Kill the agent the moment the database shows the kernel in `phase`.
      const k = await until(
        `the kernel to reach ${phase}`,
        async () => {
          const x = await t.db.kernel.findFirst({ where: { sessionId: s.id }, include: { allocations: { include: { gpu: true } } } });
          if (!x || x.status === phase) return x?.status === phase ? x : null;
          if (!ORDER.includes(x.status) || ORDER.indexOf(x.status) > ORDER.indexOf(phase)) throw new Error(`the kernel went past ${phase} before it was seen there: ${x.status} (${x.statusInfo})`);
          return null;
        },
        20_000,
        10,
      );
      await agent!.kill();
      agent = null;
      const containerId = containerIdFor(k.id);
      expect(k.containerId).toBe(containerId);
      const gpu = k.allocations.find((a) => !a.releasedAt)!.gpu.pciAddress;
      expect(k.allocations.filter((a) => !a.releasedAt)).toHaveLength(1);
      const scratch = path.join(stateDir, "scratch", k.id);
      expect(existsSync(scratch), "the kernel's files were written while PREPARING").toBe(true);

      // What the dead agent left on the host proves which phase it died in.
      const atKill = state();
      const container = atKill.containers.find((c) => c.id === containerId);
      const task = atKill.tasks.find((x) => x.containerId === containerId);
      const done = delta(before, atKill);
      if (phase === "PREPARING" || phase === "PULLING") {
        expect(done).toEqual({ ...zero, prepareRootfs: phase === "PULLING" ? 1 : 0 });
        expect(atKill.snapshots).not.toContain(k.id);
        expect(atKill.images, "the pull was cut short").not.toContain(image);
        expect(container).toBeUndefined();
      } else {
        expect(done).toEqual({ ...zero, prepareRootfs: 1, createContainer: 1, startTask: 1 });
        expect(atKill.images).toContain(image);
        expect(container?.labels).toMatchObject({ "ai.hypercell.kernel-id": k.id, "ai.hypercell.session-id": s.id, "ai.hypercell.pci-addresses": gpu });
        expect(task?.status, phase === "CREATING" ? "the VM was booting: its task created, not started" : "the VM runs").toBe(phase === "CREATING" ? "created" : "running");
      }

      // A new agent process on the same host.
      const next = await AgentProcess.start();
      agent = next.agent;
      expect(next.recovered, "kernels recovered from the runtime's labels").toBe(phase === "CREATING" || phase === "RUNNING" ? 1 : 0);

      if (phase === "RUNNING") {
        // The controller's reconcile finds the VM where it left it; ask once more and wait for the answer.
        expect(await reconcileAgent(t.db, ctl.gateway, HOST, (m) => log.push(`[test reconcile] ${m}`))).toEqual({ missing: [], unknown: [] });
        const after = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: { include: { allocations: { include: { gpu: true } } } } } });
        expect(after.status).toBe("RUNNING");
        expect(after.kernels[0]).toMatchObject({ status: "RUNNING", containerId });
        expect(after.kernels[0]!.allocations.filter((a) => !a.releasedAt).map((a) => a.gpu.pciAddress)).toEqual([gpu]);
        const now = state();
        expect(delta(atKill, now), "no create, start, kill or delete after the restart").toEqual(zero);
        expect(now.tasks.find((x) => x.containerId === containerId)).toEqual(task);
        expect(now.containers.find((c) => c.id === containerId)).toEqual(container);

        // The adopted VM is the new agent's to stop: terminating leaves nothing.
        await owner.sessions.terminate({ id: s.id });
        await until("the session to terminate", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
        await until("the scratch directory to go", async () => !existsSync(scratch), 10_000);
      } else {
        const ended = await until(
          "the session to end",
          async () => {
            const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: { include: { allocations: true } } } });
            return ["ERROR", "TERMINATED", "CANCELLED"].includes(x.status) ? x : null;
          },
          15_000,
          20,
        );
        // The destroy that follows the reconcile: deleteContainer is its last runtime call, the scratch
        // directory goes right after it.
        await until("the kernel's leftovers to be removed", async () => delta(atKill, state()).deleteContainer >= 1 && !existsSync(scratch), 10_000, 20);
        const kernel = ended.kernels[0]!;
        expect(ended.status).toBe("ERROR");
        expect(kernel.status).toBe("ERROR");
        expect(kernel.statusInfo).toBe(phase === "CREATING" ? "the VM did not survive the agent's restart (it was not running); removed" : "missing on its host: the agent does not run this kernel any more");
        expect(ended.statusInfo).toBe(kernel.statusInfo);
        expect(kernel.allocations).toHaveLength(1);
        expect(kernel.allocations.filter((a) => !a.releasedAt), "its GPU is released").toHaveLength(0);
        expect(await t.db.allocation.count({ where: { gpu: { pciAddress: gpu, agentId: HOST }, releasedAt: null } })).toBe(0);
        // Nothing created after the kill; the cleanup's calls: for PREPARING/PULLING a deleteTask and a
        // deleteContainer that find nothing there; for CREATING SIGTERM + SIGKILL of the created task,
        // then the task and the container (with its snapshot) deleted.
        expect(delta(atKill, state())).toEqual(phase === "CREATING" ? { ...zero, kill: 2, deleteTask: 1, deleteContainer: 1 } : { ...zero, deleteTask: 1, deleteContainer: 1 });
        // A second reconcile finds nothing more to do.
        const settled = state();
        expect(await reconcileAgent(t.db, ctl.gateway, HOST, (m) => log.push(`[test reconcile] ${m}`))).toEqual({ missing: [], unknown: [] });
        expect(counts(state())).toEqual(counts(settled));
      }

      // Nothing of this kernel, or of any before it, is left on the host.
      const end = state();
      expect(end.containers).toEqual([]);
      expect(end.tasks).toEqual([]);
      expect(end.snapshots).toEqual([]);
      expect(await t.db.allocation.count({ where: { kernelId: k.id, releasedAt: null } })).toBe(0);
    });
  }
});
