import { describe, expect, it } from "vitest";
import { ociMountsOf, planIntrinsicMounts, type MountVerdict } from "./mount-plan";
import { resolveVfolders } from "./storage-mounts";

const storage = [{ fsType: "nfs4" as const, source: "storage-server:/exports/vfstore", mountpoint: "/mnt/vfstore", options: "vers=4.1" }];

// BEP-1051 A.8, one row per intrinsic mount, with Hypercell's choice where the BEP contradicts itself
// (timezone, runner binaries and Python libraries: baked into the attested rootfs, A.17 #1).
const BEP_TABLE: [string, MountVerdict][] = [
  ["home-config", "keep"],
  ["etc-hosts", "keep"],
  ["home-work", "change"],
  ["tmp", "change"],
  ["timezone", "change"],
  ["lxcfs", "skip"],
  ["libbaihook", "skip"],
  ["jail", "skip"],
  ["agent-socket", "skip"],
  ["socket-proxies", "skip"],
  ["core-dumps", "change"],
  ["krunner-volume", "change"],
  ["krunner-binaries", "change"],
  ["python-libs", "change"],
  ["samples", "skip"],
  ["accelerator-hooks", "different"],
];

const base = { scratchDir: "/var/lib/hypercell/agent/scratch/k-1", tmpfsBytes: 64 * 1024 * 1024, vfolders: [], vfioGroups: [], sharedFs: "virtio-fs" as const };

describe("planIntrinsicMounts", () => {
  it("gives every intrinsic mount the BEP's verdict, with a reason", () => {
    const plan = planIntrinsicMounts(base);
    expect(plan.map((p) => [p.id, p.verdict])).toEqual(BEP_TABLE);
    for (const p of plan) expect(p.reason.length).toBeGreaterThan(10);
  });

  it("shares only the config directory from the host: /home/config and /etc/hosts from it, read-only, and /tmp as guest tmpfs", () => {
    const mounts = ociMountsOf(planIntrinsicMounts(base));
    expect(mounts).toEqual([
      { destination: "/home/config", type: "bind", source: "/var/lib/hypercell/agent/scratch/k-1/config", options: ["rbind", "ro", "nosuid", "nodev", "noexec"] },
      { destination: "/etc/hosts", type: "bind", source: "/var/lib/hypercell/agent/scratch/k-1/config/hosts", options: ["rbind", "ro", "nosuid", "nodev", "noexec"] },
      { destination: "/tmp", type: "tmpfs", source: "tmpfs", options: ["nosuid", "nodev", "mode=1777", "size=65536k"] },
    ]);
    for (const m of mounts.filter((m) => m.type === "bind")) expect(m.source.startsWith(`${base.scratchDir}/config`)).toBe(true);
  });

  it("lists the VFIO devices where Docker had GPU hooks", () => {
    const hooks = planIntrinsicMounts({ ...base, vfioGroups: [33, 51] }).find((p) => p.id === "accelerator-hooks")!;
    expect(hooks.kata).toBe("VFIO passthrough: /dev/vfio/vfio and /dev/vfio/33, /dev/vfio/51");
  });

  it("adds a guest-side entry per vfolder and no OCI mount for it", () => {
    const vfolders = resolveVfolders([{ name: "data", hostPath: "/mnt/vfstore/a/data", mountPath: "/home/work/data", readOnly: true }], storage);
    const plan = planIntrinsicMounts({ ...base, vfolders });
    const entry = plan.find((p) => p.id === "vfolder:data")!;
    expect(entry.verdict).toBe("change");
    expect(entry.oci).toBeNull();
    expect(entry.kata).toBe("guest mounts nfs4 storage-server:/exports/vfstore/a/data at /mnt/vfstore/a/data read-only, then binds it to /home/work/data (storage-mounts.json)");
    expect(ociMountsOf(plan)).toHaveLength(3);
  });

  it("says /home/work is the vfolder when one is mounted there", () => {
    const vfolders = resolveVfolders([{ name: "home", hostPath: "/mnt/vfstore/u/home", mountPath: "/home/work", readOnly: false }], storage);
    expect(planIntrinsicMounts({ ...base, vfolders }).find((p) => p.id === "home-work")!.kata).toMatch(/^vfolder "home"/);
  });
});
