import { describe, expect, it } from "vitest";
import { cleanAbsolute, longestCoveringMountpoint, mountPathClash, mountPathProblem, vfolderHostPath } from "./paths";

describe("storage paths", () => {
  it("cleans absolute paths and refuses the rest", () => {
    expect(cleanAbsolute("/home/work/data/")).toBe("/home/work/data");
    expect(cleanAbsolute("/")).toBe("/");
    for (const bad of ["home/work", "/home//work", "/home/./work", "/home/../etc", "/a\0b", ""]) expect(cleanAbsolute(bad)).toBeNull();
  });

  it("matches the longest mountpoint by whole segments", () => {
    const mps = ["/mnt", "/mnt/vfstore", "/mnt/vfstore/fast", "bad/relative"];
    expect(longestCoveringMountpoint("/mnt/vfstore/fast/x", mps)).toBe("/mnt/vfstore/fast");
    expect(longestCoveringMountpoint("/mnt/vfstore/x", mps)).toBe("/mnt/vfstore");
    expect(longestCoveringMountpoint("/mnt/vfstore2/x", mps)).toBe("/mnt");
    expect(longestCoveringMountpoint("/srv/x", mps)).toBeNull();
    expect(longestCoveringMountpoint("/srv/x", [])).toBeNull();
  });

  it("names what is wrong with a mount path", () => {
    expect(mountPathProblem("/home/work/data")).toBeNull();
    expect(mountPathProblem("/")).toMatch(/not a clean absolute path below \//);
    expect(mountPathProblem("data")).toMatch(/not a clean absolute path/);
    expect(mountPathProblem("/tmp/x")).toBe("/tmp/x is inside /tmp, which the kernel's own mounts use");
    expect(mountPathProblem("/home/config")).toMatch(/inside \/home\/config/);
  });

  it("finds mount paths that hide each other", () => {
    expect(mountPathClash([{ name: "a", mountPath: "/home/work/a" }, { name: "b", mountPath: "/home/work/b" }])).toBeNull();
    expect(mountPathClash([{ name: "a", mountPath: "/data" }, { name: "b", mountPath: "/data" }])).toBe('vfolders "a" and "b" both want /data');
    expect(mountPathClash([{ name: "b", mountPath: "/data/x" }, { name: "a", mountPath: "/data" }])).toBe('vfolder "b" at /data/x would sit inside vfolder "a" at /data');
  });

  it("spreads vfolders under their project like the storage proxy does", () => {
    expect(vfolderHostPath("/mnt/vfstore", "p-1", "6f2a1b3c-0000-4000-8000-000000000001")).toBe("/mnt/vfstore/p-1/6f/2a/1b3c000040008000000000000001");
  });
});
