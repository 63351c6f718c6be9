import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { StorageMount } from "../config/agent-config";
import { matchStorageMount, renderStorageMountsJson, resolveVfolder, resolveVfolders } from "./storage-mounts";

const nfs: StorageMount = { fsType: "nfs4", source: "storage-server:/exports/vfstore", mountpoint: "/mnt/vfstore", options: "vers=4.1" };
const nested: StorageMount = { fsType: "lustre", source: "mgs@tcp:/fast", mountpoint: "/mnt/vfstore/fast", options: "" };
const lustre: StorageMount = { fsType: "lustre", source: "lustre-mgs@tcp:/scratch", mountpoint: "/mnt/lustre", options: "" };
const mounts = [nfs, nested, lustre];

describe("matchStorageMount", () => {
  it("takes the longest mountpoint that is a whole-segment prefix", () => {
    expect(matchStorageMount("/mnt/vfstore/ab/cd", mounts)).toBe(nfs);
    expect(matchStorageMount("/mnt/vfstore/fast/x", mounts)).toBe(nested);
    expect(matchStorageMount("/mnt/vfstore/faster/x", mounts)).toBe(nfs);
    expect(matchStorageMount("/mnt/vfstore2/x", mounts)).toBeNull();
    expect(matchStorageMount("/mnt/lustre", mounts)).toBe(lustre);
  });

  it("agrees with a brute-force longest prefix for any set of mountpoints (property)", () => {
    const segment = fc.constantFrom("a", "b", "ab", "vf", "x");
    const dir = fc.array(segment, { minLength: 1, maxLength: 4 }).map((s) => `/${s.join("/")}`);
    fc.assert(
      fc.property(fc.uniqueArray(dir, { maxLength: 6 }), dir, (points, host) => {
        const ms = points.map((p, i): StorageMount => ({ fsType: "nfs", source: `s${i}:/e`, mountpoint: p, options: "" }));
        const got = matchStorageMount(host, ms);
        const candidates = ms.filter((m) => host === m.mountpoint || host.startsWith(`${m.mountpoint}/`));
        const longest = candidates.reduce<StorageMount | null>((b, m) => (b === null || m.mountpoint.length > b.mountpoint.length ? m : b), null);
        expect(got).toBe(longest);
        if (got) expect(host.split("/").slice(0, got.mountpoint.split("/").length).join("/")).toBe(got.mountpoint);
      }),
      { numRuns: 300 },
    );
  });
});

describe("resolveVfolder", () => {
  it("mounts only the vfolder's subdirectory of the export, at the host path, and binds it", () => {
    const r = resolveVfolder({ name: "data", hostPath: "/mnt/vfstore/6f/2a/data", mountPath: "/home/work/data", readOnly: false }, mounts);
    expect(r.subpath).toBe("6f/2a/data");
    expect(r.volume).toEqual({ fsType: "nfs4", source: "storage-server:/exports/vfstore/6f/2a/data", mountpoint: "/mnt/vfstore/6f/2a/data", options: "vers=4.1" });
  });

  it("adds ro for read-only vfolders and uses Lustre's subdirectory syntax", () => {
    const r = resolveVfolder({ name: "ds", hostPath: "/mnt/lustre/team/ds/", mountPath: "/home/work/ds", readOnly: true }, mounts);
    expect(r.volume).toEqual({ fsType: "lustre", source: "lustre-mgs@tcp:/scratch/team/ds", mountpoint: "/mnt/lustre/team/ds", options: "ro" });
  });

  it("names the vfolder and every configured prefix when nothing matches", () => {
    expect(() => resolveVfolder({ name: "home", hostPath: "/srv/local/home", mountPath: "/home/work/home", readOnly: false }, mounts)).toThrow(
      'vfolder "home" at /srv/local/home is on no volume this agent can mount inside a VM; [[kata.storage-mounts]] mountpoints are /mnt/vfstore, /mnt/vfstore/fast, /mnt/lustre',
    );
    expect(() => resolveVfolder({ name: "home", hostPath: "/srv/x", mountPath: "/home/work/x", readOnly: false }, [])).toThrow(/configures no \[\[kata.storage-mounts\]\]/);
  });

  it("refuses paths that climb out or take reserved places", () => {
    const vf = (hostPath: string, mountPath: string) => () => resolveVfolder({ name: "v", hostPath, mountPath, readOnly: false }, mounts);
    expect(vf("/mnt/vfstore/../etc", "/home/work/v")).toThrow(/not a clean absolute path/);
    expect(vf("mnt/vfstore/a", "/home/work/v")).toThrow(/not a clean absolute path/);
    expect(vf("/mnt/vfstore/a", "/home/config/x")).toThrow(/inside \/home\/config/);
    expect(vf("/mnt/vfstore/a", "/tmp")).toThrow(/inside \/tmp/);
    expect(vf("/mnt/vfstore/a", "/")).toThrow(/below \//);
  });

  it("refuses two vfolders on one mount path or one inside another", () => {
    const v = (name: string, mountPath: string) => ({ name, hostPath: `/mnt/vfstore/${name}`, mountPath, readOnly: false });
    expect(() => resolveVfolders([v("a", "/home/work/a"), v("b", "/home/work/a")], mounts)).toThrow('vfolders "a" and "b" both want /home/work/a');
    expect(() => resolveVfolders([v("a", "/home/work/a/b"), v("b", "/home/work/a")], mounts)).toThrow(/"a" at \/home\/work\/a\/b would sit inside vfolder "b"/);
  });
});

describe("renderStorageMountsJson", () => {
  it("writes the BEP's format plus the binds, shallow volumes first", () => {
    const resolved = resolveVfolders(
      [
        { name: "deep", hostPath: "/mnt/vfstore/a/b", mountPath: "/home/work/deep", readOnly: true },
        { name: "top", hostPath: "/mnt/vfstore/a", mountPath: "/home/work/top", readOnly: false },
      ],
      mounts,
    );
    const json = JSON.parse(renderStorageMountsJson(resolved, { device: "ib0", address: "10.0.100.5/24", gateway: "10.0.100.1" }));
    expect(json).toEqual({
      storage_nic: { device: "ib0", address: "10.0.100.5/24", gateway: "10.0.100.1" },
      volumes: [
        { fs_type: "nfs4", source: "storage-server:/exports/vfstore/a", mountpoint: "/mnt/vfstore/a", options: "vers=4.1" },
        { fs_type: "nfs4", source: "storage-server:/exports/vfstore/a/b", mountpoint: "/mnt/vfstore/a/b", options: "vers=4.1,ro" },
      ],
      binds: [
        { source: "/mnt/vfstore/a/b", destination: "/home/work/deep", readonly: true },
        { source: "/mnt/vfstore/a", destination: "/home/work/top", readonly: false },
      ],
    });
  });

  it("mounts a host path shared by a read-only and a writable vfolder once, writable", () => {
    const resolved = resolveVfolders(
      [
        { name: "r", hostPath: "/mnt/vfstore/s", mountPath: "/home/work/r", readOnly: true },
        { name: "w", hostPath: "/mnt/vfstore/s", mountPath: "/home/work/w", readOnly: false },
      ],
      mounts,
    );
    const json = JSON.parse(renderStorageMountsJson(resolved, null));
    expect(json.storage_nic).toBeNull();
    expect(json.volumes).toEqual([{ fs_type: "nfs4", source: "storage-server:/exports/vfstore/s", mountpoint: "/mnt/vfstore/s", options: "vers=4.1" }]);
    expect(json.binds.map((b: { readonly: boolean }) => b.readonly)).toEqual([true, false]);
  });
});
