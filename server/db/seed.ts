/**
 * Demo data for a fresh console: three personas (admin, project owner, auditor) plus a project member,
 * two projects, resource groups and quotas. Idempotent: does nothing when users already exist.
 * Written through `audited()` as the "system" actor so that even the seed sits in the hash chain.
 */
import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import type { Db } from "../db";
import { audited } from "../audit/record";
import { vfolderHostPath } from "../domain/storage/paths";

export type DemoPasswords = { admin: string; owner: string; auditor: string; member: string };

export const DEMO_USERS = {
  admin: { email: "admin@hypercell.local", name: "Ada Admin", role: "admin" as const },
  owner: { email: "owner@hypercell.local", name: "Omar Owner", role: "user" as const },
  auditor: { email: "auditor@hypercell.local", name: "Aiko Auditor", role: "auditor" as const },
  member: { email: "member@hypercell.local", name: "Mei Member", role: "user" as const },
};

const GiB = 1024 ** 3;

export async function seedDemo(db: Db, passwords: DemoPasswords): Promise<{ seeded: boolean }> {
  if ((await db.user.count()) > 0) return { seeded: false };
  const system = { actor: null, requestId: `seed-${randomUUID()}`, clientAddress: null };
  await audited(db, system, { action: "system.seed", targetType: "system" }, async (tx) => {
    const projectPolicy = await tx.resourcePolicy.create({
      data: { name: "team-default", scope: "project", totalSlots: { "cuda.device": 16, cpu: 256, mem: 2048 * GiB }, maxConcurrentSessions: 20, maxPendingSessions: 10, maxGpusPerSession: 8 },
    });
    const userPolicy = await tx.resourcePolicy.create({
      data: { name: "user-default", scope: "user", totalSlots: { "cuda.device": 8 }, maxConcurrentSessions: 5, maxPendingSessions: 5, maxGpusPerSession: 8 },
    });
    const ids: Record<keyof DemoPasswords, string> = { admin: randomUUID(), owner: randomUUID(), auditor: randomUUID(), member: randomUUID() };
    for (const key of Object.keys(DEMO_USERS) as (keyof DemoPasswords)[]) {
      const u = DEMO_USERS[key];
      await tx.user.create({
        data: { id: ids[key], email: u.email, name: u.name, role: u.role, emailVerified: true, resourcePolicyId: u.role === "user" ? userPolicy.id : null },
      });
      await tx.authAccount.create({ data: { id: randomUUID(), accountId: ids[key], providerId: "credential", userId: ids[key], password: await hashPassword(passwords[key]) } });
    }
    const gpuKata = await tx.resourceGroup.create({
      data: { name: "gpu-kata", description: "Confidential Kata VMs with whole GPUs (HGX and PCIe hosts).", backend: "kata", scheduler: "fifo", agentSelection: "concentrated", confidentialPolicy: "required", pendingTimeoutSec: 3600 },
    });
    const gpuDev = await tx.resourceGroup.create({
      data: { name: "gpu-kata-dev", description: "Kata VMs for development; confidential when the host supports it.", backend: "kata", scheduler: "drf", agentSelection: "dispersed", confidentialPolicy: "preferred", isPublic: false },
    });
    await tx.resourceGroup.create({ data: { name: "cpu-kata", description: "CPU-only Kata VMs.", backend: "kata", scheduler: "fifo", agentSelection: "dispersed", confidentialPolicy: "preferred" } });
    const vision = await tx.project.create({ data: { name: "vision-lab", description: "Image models: training and evaluation.", resourcePolicyId: projectPolicy.id } });
    const nlp = await tx.project.create({ data: { name: "nlp-research", description: "Language model fine-tuning.", resourcePolicyId: projectPolicy.id } });
    await tx.projectResourceGroup.createMany({
      data: [
        { projectId: vision.id, resourceGroupId: gpuKata.id },
        { projectId: vision.id, resourceGroupId: gpuDev.id },
        { projectId: nlp.id, resourceGroupId: gpuKata.id },
      ],
    });
    await tx.projectMembership.createMany({
      data: [
        { projectId: vision.id, userId: ids.owner, role: "owner" },
        { projectId: vision.id, userId: ids.member, role: "member" },
        { projectId: nlp.id, userId: ids.admin, role: "owner" },
      ],
    });
    // The simulated GPU hosts mount this volume ([[kata.storage-mounts]] in their agent.toml); the CPU host does not.
    const vfstore = await tx.storageVolume.create({ data: { name: "vfstore", fsType: "nfs4", mountpoint: "/mnt/vfstore", description: "Shared NFS export for datasets and checkpoints." } });
    for (const [name, description] of [
      ["datasets", "ImageNet and COCO, read-mostly."],
      ["checkpoints", "Training checkpoints."],
    ] as const) {
      const id = randomUUID();
      await tx.vFolder.create({ data: { id, name, description, projectId: vision.id, volumeId: vfstore.id, hostPath: vfolderHostPath(vfstore.mountpoint, vision.id, id), createdById: ids.owner } });
    }
    return {
      result: null,
      after: { users: Object.values(DEMO_USERS).map((u) => u.email), projects: ["vision-lab", "nlp-research"], resourceGroups: ["gpu-kata", "gpu-kata-dev", "cpu-kata"], storageVolumes: ["vfstore"], vfolders: ["vision-lab/datasets", "vision-lab/checkpoints"] },
    };
  });
  return { seeded: true };
}
