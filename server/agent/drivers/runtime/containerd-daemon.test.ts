import { describe, expect, it } from "vitest";
import { parse } from "smol-toml";
import { mountsUnder, renderContainerdConfig } from "./containerd-daemon";

describe("renderContainerdConfig", () => {
  it("gives the daemon its own dirs and sockets, no CRI, no debug or metrics listener", () => {
    const cfg = parse(renderContainerdConfig({ root: "/t/root", state: "/t/state", socket: "/t/c.sock", ttrpcSocket: "/t/t.sock" })) as Record<string, unknown>;
    expect(cfg).toMatchObject({
      version: 2,
      root: "/t/root",
      state: "/t/state",
      disabled_plugins: ["io.containerd.grpc.v1.cri"],
      grpc: { address: "/t/c.sock" },
      ttrpc: { address: "/t/t.sock" },
      debug: { address: "" },
      metrics: { address: "" },
    });
  });
});

describe("mountsUnder", () => {
  it("lists mounts at or below a dir, deepest first, unescaping octal", () => {
    const info = [
      "22 1 0:21 / / rw - ext4 /dev/sda1 rw",
      "30 22 0:40 / /tmp/hc-x/root/snapshots/2/fs rw - overlay overlay rw",
      "31 22 0:41 / /tmp/hc-x/state/task/ns/k1/rootfs rw - overlay overlay rw",
      "32 22 0:42 / /tmp/hc-x\\040y/z rw - tmpfs tmpfs rw",
      "33 22 0:43 / /tmp/hc-xyz rw - tmpfs tmpfs rw",
    ].join("\n");
    expect(mountsUnder("/tmp/hc-x", info)).toEqual(["/tmp/hc-x/state/task/ns/k1/rootfs", "/tmp/hc-x/root/snapshots/2/fs"]);
    expect(mountsUnder("/tmp/hc-x y", info)).toEqual(["/tmp/hc-x y/z"]);
  });
});
