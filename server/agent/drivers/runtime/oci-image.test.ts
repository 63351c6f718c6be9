import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { BUSYBOX_APPLETS, buildOciImage, busyboxLayerTar, IMAGE_NAME_ANNOTATION, MEDIA_TYPES, sha256, writeOciLayout, writeTar } from "./oci-image";

const dir = mkdtempSync(path.join(tmpdir(), "hypercell-oci-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A stand-in for busybox: the image logic does not care what the binary is.
const fakeBusybox = Buffer.from("#!/bin/false\n".repeat(100));

describe("writeTar", () => {
  it("writes a tar that GNU tar lists back with modes, types and link targets", () => {
    const file = path.join(dir, "t.tar");
    writeFileSync(file, writeTar([{ type: "dir", path: "bin" }, { type: "file", path: "bin/x", mode: 0o755, data: Buffer.from("hello") }, { type: "symlink", path: "bin/y", target: "x" }, { type: "dir", path: "tmp", mode: 0o1777 }]));
    const r = spawnSync("tar", ["-tvf", file], { encoding: "utf8" });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^drwxr-xr-x root\/root +0 .* bin\/$/);
    expect(lines[1]).toMatch(/^-rwxr-xr-x root\/root +5 .* bin\/x$/);
    expect(lines[2]).toMatch(/^lrwxrwxrwx .* bin\/y -> x$/);
    expect(lines[3]).toMatch(/^drwxrwxrwt /);
  });
});

describe("buildOciImage", () => {
  const tar = busyboxLayerTar(fakeBusybox);
  const image = buildOciImage(tar, { architecture: "amd64" });

  it("is reproducible: the same files give the same digests", () => {
    expect(buildOciImage(busyboxLayerTar(fakeBusybox), { architecture: "amd64" }).index.digest).toBe(image.index.digest);
  });

  it("links index → manifest → config and layer with correct digests, sizes and diff IDs", () => {
    const blob = (digest: string) => image.blobs.find((b) => b.descriptor.digest === digest)!;
    for (const b of image.blobs) {
      expect(b.descriptor.digest).toBe(sha256(b.data));
      expect(b.descriptor.size).toBe(b.data.length);
    }
    const index = JSON.parse(blob(image.index.digest).data.toString());
    expect(index.manifests[0]).toMatchObject({ digest: image.manifest.digest, mediaType: MEDIA_TYPES.manifest, platform: { os: "linux", architecture: "amd64" } });
    const manifest = JSON.parse(blob(image.manifest.digest).data.toString());
    expect(manifest.config.digest).toBe(image.config.digest);
    expect(manifest.layers[0]).toMatchObject({ digest: image.layers[0]!.digest, mediaType: MEDIA_TYPES.layerGzip });
    const config = JSON.parse(blob(image.config.digest).data.toString());
    expect(config.rootfs.diff_ids).toEqual([sha256(gunzipSync(blob(image.layers[0]!.digest).data))]);
    expect(image.diffIds).toEqual(config.rootfs.diff_ids);
  });

  it("labels parents with GC references to their children, and writes children first", () => {
    const [layer, config, manifest, index] = image.blobs;
    expect([layer, config, manifest, index].map((b) => b!.descriptor.mediaType)).toEqual([MEDIA_TYPES.layerGzip, MEDIA_TYPES.config, MEDIA_TYPES.manifest, MEDIA_TYPES.index]);
    expect(manifest!.gcLabels).toEqual({ "containerd.io/gc.ref.content.config": config!.descriptor.digest, "containerd.io/gc.ref.content.l.0": layer!.descriptor.digest });
    expect(index!.gcLabels).toEqual({ "containerd.io/gc.ref.content.m.0": manifest!.descriptor.digest });
  });

  it("puts busybox and its applet links in /bin", () => {
    const file = path.join(dir, "layer.tar");
    writeFileSync(file, tar);
    const names = spawnSync("tar", ["-tf", file], { encoding: "utf8" }).stdout.split("\n");
    expect(names).toContain("bin/busybox");
    for (const a of BUSYBOX_APPLETS) expect(names).toContain(`bin/${a}`);
  });

  it("writes an OCI layout with the image name annotation", () => {
    const out = path.join(dir, "layout");
    writeOciLayout(image, out, "hypercell.local/busybox:test");
    const index = JSON.parse(readFileSync(path.join(out, "index.json"), "utf8"));
    expect(index.manifests[0].annotations[IMAGE_NAME_ANNOTATION]).toBe("hypercell.local/busybox:test");
    expect(readFileSync(path.join(out, "blobs", "sha256", image.index.digest.slice(7)))).toEqual(image.blobs[3]!.data);
  });
});
