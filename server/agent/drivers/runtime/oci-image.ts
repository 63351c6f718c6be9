// Builds a tiny OCI image from files already on this machine (a static busybox) and imports it
// into containerd's content store through the API — content Write + images Create, no registry.
// Test and development utility: real kernels run images pulled by the site's own tooling.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import * as grpc from "@grpc/grpc-js";
import { AppError } from "../../../errors";
import type { ContainerdClient } from "./containerd-client";
import { containerdError, hasGrpcCode } from "./containerd-errors";

export const MEDIA_TYPES = {
  index: "application/vnd.oci.image.index.v1+json",
  manifest: "application/vnd.oci.image.manifest.v1+json",
  config: "application/vnd.oci.image.config.v1+json",
  layerGzip: "application/vnd.oci.image.layer.v1.tar+gzip",
  layerTar: "application/vnd.oci.image.layer.v1.tar",
  dockerManifest: "application/vnd.docker.distribution.manifest.v2+json",
  dockerManifestList: "application/vnd.docker.distribution.manifest.list.v2+json",
  dockerLayerGzip: "application/vnd.docker.image.rootfs.diff.tar.gzip",
} as const;

/** Annotation an OCI layout's index.json uses to name the image (what `ctr import` reads). */
export const IMAGE_NAME_ANNOTATION = "io.containerd.image.name";

export const BUSYBOX_MISSING_MESSAGE =
  "busybox is not installed: the runtime integration tests build their image from a static busybox. Install Debian's busybox-static package (apt-get install -y busybox-static).";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export interface Blob {
  descriptor: Descriptor;
  data: Buffer;
  /** containerd GC references to children (containerd.io/gc.ref.content.*). */
  gcLabels: Record<string, string>;
}

export interface OciImage {
  /** The image's root: an index naming one manifest for this platform. */
  index: Descriptor;
  manifest: Descriptor;
  config: Descriptor;
  layers: Descriptor[];
  /** Digest of each layer's uncompressed tar, in order (the config's rootfs.diff_ids). */
  diffIds: string[];
  /** Every blob, children first (the order to write them in). */
  blobs: Blob[];
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The OCI name of this machine's CPU architecture. */
export function ociArchitecture(arch: string = process.arch): string {
  return ({ x64: "amd64", arm64: "arm64", arm: "arm", ppc64: "ppc64le", s390x: "s390x", riscv64: "riscv64" } as Record<string, string>)[arch] ?? arch;
}

// ---------------------------------------------------------------------------------------------
// A minimal ustar writer: enough for directories, regular files and symlinks. Fixed owner and
// mtime make the layer (and so every digest) reproducible from the same busybox.

export type TarEntry =
  | { type: "dir"; path: string; mode?: number }
  | { type: "file"; path: string; mode?: number; data: Buffer }
  | { type: "symlink"; path: string; target: string };

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, "0") + "\0";
}

function tarHeader(name: string, opts: { mode: number; size: number; typeflag: string; linkname?: string }): Buffer {
  if (Buffer.byteLength(name) > 100) throw new Error(`tar: path too long for this writer: ${name}`);
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, "utf8");
  h.write(octal(opts.mode, 8), 100, 8, "ascii");
  h.write(octal(0, 8), 108, 8, "ascii");
  h.write(octal(0, 8), 116, 8, "ascii");
  h.write(octal(opts.size, 12), 124, 12, "ascii");
  h.write(octal(0, 12), 136, 12, "ascii");
  h.write("        ", 148, 8, "ascii");
  h.write(opts.typeflag, 156, 1, "ascii");
  if (opts.linkname) h.write(opts.linkname, 157, 100, "utf8");
  h.write("ustar\0", 257, 6, "ascii");
  h.write("00", 263, 2, "ascii");
  h.write("root", 265, 32, "ascii");
  h.write("root", 297, 32, "ascii");
  let sum = 0;
  for (const b of h) sum += b;
  h.write(octal(sum, 7) + " ", 148, 8, "ascii");
  return h;
}

export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.type === "dir") {
      parts.push(tarHeader(e.path.endsWith("/") ? e.path : `${e.path}/`, { mode: e.mode ?? 0o755, size: 0, typeflag: "5" }));
    } else if (e.type === "symlink") {
      parts.push(tarHeader(e.path, { mode: 0o777, size: 0, typeflag: "2", linkname: e.target }));
    } else {
      parts.push(tarHeader(e.path, { mode: e.mode ?? 0o644, size: e.data.length, typeflag: "0" }), e.data);
      const pad = (512 - (e.data.length % 512)) % 512;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

// ---------------------------------------------------------------------------------------------

/** Where Debian's busybox-static puts its binary; throws BUSYBOX_MISSING_MESSAGE if absent. */
export function findBusybox(candidates = ["/bin/busybox", "/usr/bin/busybox"]): string {
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`${BUSYBOX_MISSING_MESSAGE} (looked in ${candidates.join(", ")})`);
  return found;
}

/** Applets linked into /bin; enough for the tests' shell commands. */
export const BUSYBOX_APPLETS = ["sh", "echo", "sleep", "cat", "ls", "true", "false", "env", "id", "ps", "kill", "mount", "hostname"];

/** The layer tar: a root with the usual empty mount points and busybox in /bin. */
export function busyboxLayerTar(busybox: Buffer): Buffer {
  return writeTar([
    ...["bin", "dev", "etc", "proc", "sys", "root", "run", "var"].map((d) => ({ type: "dir" as const, path: d })),
    { type: "dir", path: "tmp", mode: 0o1777 },
    { type: "file", path: "bin/busybox", mode: 0o755, data: busybox },
    ...BUSYBOX_APPLETS.map((a) => ({ type: "symlink" as const, path: `bin/${a}`, target: "busybox" })),
    { type: "file", path: "etc/passwd", data: Buffer.from("root:x:0:0:root:/root:/bin/sh\n") },
    { type: "file", path: "etc/group", data: Buffer.from("root:x:0:\n") },
  ]);
}

function jsonBlob(mediaType: string, value: unknown, gcLabels: Record<string, string> = {}): Blob {
  const data = Buffer.from(JSON.stringify(value));
  return { descriptor: { mediaType, digest: sha256(data), size: data.length }, data, gcLabels };
}

/** Assembles layer, config, manifest and index in memory. Pure: same inputs, same digests. */
export function buildOciImage(layerTar: Buffer, opts: { architecture?: string; cmd?: string[] } = {}): OciImage {
  const architecture = opts.architecture ?? ociArchitecture();
  // mtime 0 and no file name in the gzip header keep the digest stable.
  const gz = gzipSync(layerTar, { level: 6 });
  const layer: Blob = { descriptor: { mediaType: MEDIA_TYPES.layerGzip, digest: sha256(gz), size: gz.length }, data: gz, gcLabels: {} };
  const diffId = sha256(layerTar);
  const config = jsonBlob(MEDIA_TYPES.config, {
    architecture,
    os: "linux",
    config: { Env: ["PATH=/bin"], Cmd: opts.cmd ?? ["/bin/sh"], WorkingDir: "/" },
    rootfs: { type: "layers", diff_ids: [diffId] },
  });
  const manifest = jsonBlob(
    MEDIA_TYPES.manifest,
    { schemaVersion: 2, mediaType: MEDIA_TYPES.manifest, config: config.descriptor, layers: [layer.descriptor] },
    // Without these references containerd's GC would collect config and layer once the import lease ends.
    { "containerd.io/gc.ref.content.config": config.descriptor.digest, "containerd.io/gc.ref.content.l.0": layer.descriptor.digest },
  );
  const manifestInIndex: Descriptor = { ...manifest.descriptor, platform: { architecture, os: "linux" } };
  const index = jsonBlob(MEDIA_TYPES.index, { schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [manifestInIndex] }, {
    "containerd.io/gc.ref.content.m.0": manifest.descriptor.digest,
  });
  return {
    index: index.descriptor,
    manifest: manifest.descriptor,
    config: config.descriptor,
    layers: [layer.descriptor],
    diffIds: [diffId],
    blobs: [layer, config, manifest, index],
  };
}

/** The busybox image of this machine (reads the busybox binary). */
export function buildBusyboxImage(busyboxPath = findBusybox()): OciImage {
  return buildOciImage(busyboxLayerTar(readFileSync(busyboxPath)));
}

/** Writes the image as an OCI image layout directory (for `ctr images import` or inspection). */
export function writeOciLayout(image: OciImage, dir: string, name: string): void {
  mkdirSync(path.join(dir, "blobs", "sha256"), { recursive: true });
  for (const b of image.blobs) writeFileSync(path.join(dir, "blobs", "sha256", b.descriptor.digest.slice("sha256:".length)), b.data);
  writeFileSync(path.join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const root = { ...image.index, annotations: { [IMAGE_NAME_ANNOTATION]: name } };
  writeFileSync(path.join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPES.index, manifests: [root] }));
}

// ---------------------------------------------------------------------------------------------
// Import through the API.

const WRITE_CHUNK = 1 << 20;

/**
 * Writes one blob with the content service's Write stream: WRITE chunks at increasing offsets,
 * then COMMIT with the expected size and digest (containerd verifies both) and the GC labels.
 * A blob already present is left alone.
 */
export async function writeBlob(client: ContainerdClient, blob: Blob, lease: string): Promise<void> {
  const { digest, size } = blob.descriptor;
  const existing = await client.unaryOrMissing("content", "Info", { digest }, { action: "look up content", object: `blob ${digest}` });
  if (existing) return;
  const ref = `hypercell-import-${digest}`;
  const call = client.service("content").Write(client.metadata({ lease }), client.callOptions({ timeoutMs: 120_000 }));
  const describe = client.context({ action: "write content", object: `blob ${digest}` });
  await new Promise<void>((resolve, reject) => {
    let committed = false;
    call.on("data", (res: { action: string; digest: string }) => {
      if (res.action === "COMMIT") {
        committed = true;
        call.end();
      }
    });
    call.on("error", (err: grpc.ServiceError) => {
      // Someone else committed the same digest meanwhile: the content is there, which is all we want.
      if (hasGrpcCode(err, grpc.status.ALREADY_EXISTS)) resolve();
      else reject(containerdError(err, describe));
    });
    call.on("end", () => (committed ? resolve() : reject(new AppError("RUNTIME_ERROR", `containerd closed the write of blob ${digest} before committing it`))));
    for (let off = 0; off < blob.data.length || off === 0; off += WRITE_CHUNK) {
      call.write({ action: "WRITE", ref, total: size, expected: digest, offset: off, data: blob.data.subarray(off, off + WRITE_CHUNK) });
      if (blob.data.length === 0) break;
    }
    call.write({ action: "COMMIT", ref, total: size, expected: digest, offset: size, labels: blob.gcLabels });
  });
}

/**
 * Imports the image's blobs and creates (or re-points) the image record `name` at its index.
 * Everything happens under one lease, so nothing is collected before the image references it.
 */
export async function importOciImage(client: ContainerdClient, image: OciImage, name: string): Promise<void> {
  await client.withLease(async (lease) => {
    for (const blob of image.blobs) await writeBlob(client, blob, lease);
    const record = { name, labels: {}, target: { mediaType: image.index.mediaType, digest: image.index.digest, size: image.index.size } };
    const created = await client
      .unary("images", "Create", { image: record }, { action: "create image", object: `image "${name}"` })
      .then(() => true)
      .catch((e: unknown) => {
        if (e instanceof AppError && e.code === "CONFLICT") return false;
        throw e;
      });
    if (!created) {
      await client.unary("images", "Update", { image: record, updateMask: { paths: ["target"] } }, { action: "update image", object: `image "${name}"` });
    }
  });
}
