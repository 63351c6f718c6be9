/**
 * Vfolders end to end over the real protocol: an owner creates a vfolder on the seeded NFS volume and
 * launches a session mounting it. While the only host mounts no storage, the session waits and says
 * why; once the host's agent.toml lists the volume in [[kata.storage-mounts]] (and it rejoins), the
 * scheduler places it, CreateKernel carries the vfolder, and the agent renders storage-mounts.json
 * with the vfolder's subdirectory of the export. Plus the router's refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { callerAs, createTestDatabase, TEST_PASSWORDS, type TestDb } from "../../test/db";
import { until } from "../../test/until";
import { seedDemo, DEMO_USERS } from "../db/seed";
import { startController, type ControllerHandle } from "./main";
import { SimulatedKataRuntime } from "../agent/kernels/simulated-kata-runtime";
import { simHgx, type SimHgx } from "../../test/sim-hgx";

const TOKEN = "vfolder-join-token-0123456789";
const STORAGE = `\n[[kata.storage-mounts]]\nfs-type = "nfs4"\nsource = "storage-server:/exports/vfstore"\nmountpoint = "/mnt/vfstore"\noptions = "vers=4.1"\n`;
let t: TestDb;
let ctl: ControllerHandle;
let dir: string;
let hgx: SimHgx;
const runtime = new SimulatedKataRuntime(20);
const newAgent = (extraToml = "") => hgx.agent({ sandboxRuntime: runtime, extraToml });

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDemo(t.db, TEST_PASSWORDS);
  dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-vf-"));
  ctl = await startController({ DATABASE_URL: t.url, HYPERCELL_JOIN_TOKEN: TOKEN, HYPERCELL_CONTROLLER_LISTEN: "127.0.0.1:0", HYPERCELL_HEARTBEAT_INTERVAL_SEC: "1", HYPERCELL_RECONCILE_INTERVAL_SEC: "2" }, () => {});
  hgx = await simHgx(dir, { address: ctl.address, token: TOKEN });
});
afterAll(async () => {
  await ctl?.stop();
  await t.drop();
  rmSync(dir, { recursive: true, force: true });
});

describe("vfolders", () => {
  it("a session waits for a host that can mount its vfolder, then the guest mounts the vfolder's subdirectory of the export", async () => {
    let agent = newAgent();
    await agent.start();
    await until("GPUs ingested", async () => (await t.db.gpu.count({ where: { agentId: "hgx-h100", passthrough: "ready" } })) === 7);

    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const [volume] = await owner.vfolders.volumes();
    expect(volume).toMatchObject({ name: "vfstore", mountpoint: "/mnt/vfstore", resourceGroups: [], hosts: null });
    const vf = await owner.vfolders.create({ projectId: vision.id, volumeId: volume!.id, name: "imagenet" });
    expect(vf.hostPath.startsWith(`/mnt/vfstore/${vision.id}/`)).toBe(true);

    const s = await owner.sessions.create({
      projectId: vision.id,
      resourceGroupId: rg.id,
      name: "with-data",
      image: "ngc/pytorch:24.08-py3",
      gpus: 1,
      vcpus: 8,
      memoryGiB: 32,
      vfolders: [{ id: vf.id, readOnly: true }],
    });
    const stored = await t.db.session.findUniqueOrThrow({ where: { id: s.id } });
    expect(stored.vfolderMounts).toEqual([{ vfolderId: vf.id, name: "imagenet", volume: "vfstore", hostPath: vf.hostPath, mountPath: "/home/work/imagenet", readOnly: true }]);
    const waiting = await until("a pending reason about storage", async () => {
      const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id } });
      return x.pendingReason?.includes("mount") ? x : null;
    });
    expect(waiting.status).toBe("PENDING");
    expect(waiting.pendingReason).toBe('no kata host in gpu-kata can mount vfolder "imagenet" (volume vfstore); none of its hosts configures [[kata.storage-mounts]]');
    // A mounted vfolder cannot be deleted: the PENDING session holds it.
    await expect(owner.vfolders.delete({ id: vf.id })).rejects.toThrow(/mounted by 1 live session \(with-data\)/);

    // The admin configures the host's storage mount; the agent rejoins and reports it.
    await agent.stop();
    agent = newAgent(STORAGE);
    await agent.start();
    const running = await until("RUNNING", async () => {
      const x = await t.db.session.findUniqueOrThrow({ where: { id: s.id }, include: { kernels: true } });
      return x.status === "RUNNING" ? x : x.status === "ERROR" ? Promise.reject(new Error(`session failed: ${x.statusInfo}`)) : null;
    });
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    expect((await admin.vfolders.volumes())[0]).toMatchObject({ resourceGroups: ["gpu-kata"], hosts: ["hgx-h100"] });

    const context = running.kernels[0]!.creationContext as { files?: Record<string, string>; mountPlan?: { id: string; kata: string }[] };
    const files = context.files ?? {};
    const storageJson = JSON.parse(files["config/storage-mounts.json"] ?? "null") as { volumes: { source: string; mountpoint: string; options: string }[]; binds: unknown[] };
    const sub = path.posix.relative("/mnt/vfstore", vf.hostPath);
    expect(storageJson.volumes).toEqual([{ fs_type: "nfs4", source: `storage-server:/exports/vfstore/${sub}`, mountpoint: vf.hostPath, options: "vers=4.1,ro" }]);
    expect(storageJson.binds).toEqual([{ source: vf.hostPath, destination: "/home/work/imagenet", readonly: true }]);
    expect(JSON.stringify(context.mountPlan)).toContain("vfolder:imagenet");

    // The list's filters: exact status within live/ended, and a project filter that narrows, never widens.
    expect((await owner.sessions.list({ status: "live", exactStatus: "RUNNING" })).map((x) => x.id)).toEqual([s.id]);
    expect(await owner.sessions.list({ status: "live", exactStatus: "PENDING" })).toEqual([]);
    const nlp = await t.db.project.findUniqueOrThrow({ where: { name: "nlp-research" } });
    expect(await owner.sessions.list({ projectId: nlp.id })).toEqual([]);
    await owner.sessions.terminate({ id: s.id });
    await until("TERMINATED", async () => (await t.db.session.findUniqueOrThrow({ where: { id: s.id } })).status === "TERMINATED");
    expect((await owner.sessions.list({ status: "ended", exactStatus: "TERMINATED" })).map((x) => x.id)).toEqual([s.id]);
    // Ended sessions no longer hold it.
    await owner.vfolders.delete({ id: vf.id });
    expect(await t.db.vFolder.count({ where: { id: vf.id } })).toBe(0);
    expect(await t.db.auditEvent.count({ where: { action: { in: ["vfolders.create", "vfolders.delete"] }, result: "success" } })).toBe(2);
    await agent.stop();
  });

  it("refuses bad launches and bad vfolders with messages that name the field, and enforces personas", async () => {
    const owner = await callerAs(t.db, DEMO_USERS.owner.email);
    const member = await callerAs(t.db, DEMO_USERS.member.email);
    const auditor = await callerAs(t.db, DEMO_USERS.auditor.email);
    const admin = await callerAs(t.db, DEMO_USERS.admin.email);
    const vision = await t.db.project.findUniqueOrThrow({ where: { name: "vision-lab" } });
    const nlp = await t.db.project.findUniqueOrThrow({ where: { name: "nlp-research" } });
    const rg = await t.db.resourceGroup.findUniqueOrThrow({ where: { name: "gpu-kata" } });
    const volume = (await owner.vfolders.volumes())[0]!;
    const [datasets, checkpoints] = ["datasets", "checkpoints"].map((name) => t.db.vFolder.findFirstOrThrow({ where: { projectId: vision.id, name } }));
    const d = await datasets!;
    const c = await checkpoints!;
    const launch = (vfolders: { id: string; mountPath?: string; readOnly?: boolean }[], projectId = vision.id) =>
      owner.sessions.create({ projectId, resourceGroupId: rg.id, name: "bad", image: "ngc/pytorch:24.08-py3", gpus: 0, vcpus: 1, memoryGiB: 1, vfolders });

    await expect(launch([{ id: d.id, mountPath: "/tmp/data" }])).rejects.toThrow('vfolders.0.mountPath: vfolder "datasets": /tmp/data is inside /tmp, which the kernel\'s own mounts use');
    await expect(launch([{ id: d.id, mountPath: "/data" }, { id: c.id, mountPath: "/data/ckpt" }])).rejects.toThrow('vfolders: vfolder "checkpoints" at /data/ckpt would sit inside vfolder "datasets" at /data');
    await expect(launch([{ id: d.id }, { id: d.id, mountPath: "/other" }])).rejects.toThrow('vfolders.1: vfolder "datasets" is listed twice');
    const nlpVf = await admin.vfolders.create({ projectId: nlp.id, volumeId: volume.id, name: "corpus" });
    await expect(launch([{ id: nlpVf.id }])).rejects.toThrow(`vfolders.0: project "vision-lab" has no vfolder with id ${nlpVf.id}`);
    expect(await t.db.session.count({ where: { name: "bad" } })).toBe(0);

    // Members see and mount, owners manage, auditors and outsiders change nothing.
    expect((await member.vfolders.list()).map((v) => v.name).sort()).toEqual(["checkpoints", "datasets"].concat((await t.db.vFolder.count({ where: { name: "imagenet" } })) ? ["imagenet"] : []));
    await expect(member.vfolders.create({ projectId: vision.id, volumeId: volume.id, name: "mine" })).rejects.toThrow(/does not allow vfolders.manage/);
    await expect(auditor.vfolders.delete({ id: d.id })).rejects.toThrow();
    expect((await auditor.vfolders.list()).map((v) => v.name)).toContain("corpus");
    await expect(owner.vfolders.create({ projectId: vision.id, volumeId: volume.id, name: "datasets" })).rejects.toThrow('name: project "vision-lab" already has a vfolder named "datasets"');
    await expect(owner.vfolders.create({ projectId: vision.id, volumeId: volume.id, name: "../etc" })).rejects.toThrow(/name/);
    await expect(owner.vfolders.createVolume({ name: "x", fsType: "nfs", mountpoint: "/mnt/x" })).rejects.toThrow();

    // Volumes: admin only, no nesting, no deleting a volume that holds vfolders.
    await expect(admin.vfolders.createVolume({ name: "nested", fsType: "nfs4", mountpoint: "/mnt/vfstore/fast" })).rejects.toThrow('mountpoint: /mnt/vfstore/fast overlaps volume "vfstore" at /mnt/vfstore; volumes may not be nested');
    await expect(admin.vfolders.createVolume({ name: "rel", fsType: "nfs4", mountpoint: "mnt/x" })).rejects.toThrow(/absolute path/);
    const lustre = await admin.vfolders.createVolume({ name: "lustre", fsType: "lustre", mountpoint: "/mnt/lustre/" });
    expect(lustre.mountpoint).toBe("/mnt/lustre");
    await expect(admin.vfolders.deleteVolume({ id: volume.id })).rejects.toThrow(/still holds \d+ vfolders; delete them first/);
    await admin.vfolders.deleteVolume({ id: lustre.id });
  });
});
