// Vfolders under Kata: the guest kernel mounts the storage itself (NFS, Lustre, WekaFS) so RDMA and
// native throughput survive, instead of the host sharing the data over virtio-fs (BEP-1051 A.9). The
// agent only knows which volumes exist from its own `[[kata.storage-mounts]]`; a vfolder's host path is
// matched to one of them by longest prefix, and the guest mounts just that vfolder's subdirectory, so a
// VM never sees the rest of the export.
import path from "node:path/posix";
import { AppError } from "../../errors";
import type { StorageMount, StorageNic } from "../config/agent-config";
import { cleanAbsolute, longestCoveringMountpoint, mountPathClash, mountPathProblem } from "../../domain/storage/paths";

/** A vfolder as the controller sends it in CreateKernels. */
export interface VfolderSpec {
  name: string;
  /** Where the storage proxy has it on the host, e.g. /mnt/vfstore/6f/2a/6f2a…/data. */
  hostPath: string;
  /** Where the container sees it, e.g. /home/work/data. */
  mountPath: string;
  readOnly: boolean;
}

/** The volume the guest mounts for one vfolder (the entries of storage-mounts.json "volumes"). */
export interface GuestVolume {
  fsType: StorageMount["fsType"];
  /** The configured source plus the vfolder's subdirectory, e.g. storage-server:/exports/vfstore/6f/2a. */
  source: string;
  /** Guest path; mirrors the host path so logs on both sides name the same place. */
  mountpoint: string;
  options: string;
}

export interface ResolvedVfolder {
  name: string;
  hostPath: string;
  mountPath: string;
  readOnly: boolean;
  /** The `[[kata.storage-mounts]]` entry that matched. */
  storageMount: StorageMount;
  /** hostPath relative to the entry's mountpoint; "" when the vfolder is the whole volume. */
  subpath: string;
  volume: GuestVolume;
}

function joinSource(source: string, subpath: string): string {
  if (subpath === "") return source;
  return `${source.replace(/\/+$/, "")}/${subpath}`;
}

/**
 * The storage-mounts entry whose mountpoint is the longest whole-segment prefix of hostPath
 * (/mnt/vfstore matches /mnt/vfstore/x but not /mnt/vfstore2/x); null when none does.
 */
export function matchStorageMount(hostPath: string, storageMounts: readonly StorageMount[]): StorageMount | null {
  const best = longestCoveringMountpoint(hostPath, storageMounts.map((m) => m.mountpoint));
  return best === null ? null : (storageMounts.find((m) => cleanAbsolute(m.mountpoint) === best) ?? null);
}

/**
 * Resolves one vfolder to the guest volume that carries it.
 * Throws AppError BAD_INPUT when hostPath or mountPath is not a clean absolute path or mountPath takes a
 * reserved place; PRECONDITION_FAILED (naming the vfolder and every configured mountpoint) when no
 * `[[kata.storage-mounts]]` entry holds hostPath.
 */
export function resolveVfolder(vfolder: VfolderSpec, storageMounts: readonly StorageMount[]): ResolvedVfolder {
  const hostPath = cleanAbsolute(vfolder.hostPath);
  if (hostPath === null) {
    throw new AppError("BAD_INPUT", `vfolder "${vfolder.name}": host path ${JSON.stringify(vfolder.hostPath)} is not a clean absolute path`);
  }
  const problem = mountPathProblem(vfolder.mountPath);
  if (problem !== null) throw new AppError("BAD_INPUT", `vfolder "${vfolder.name}": mount path ${problem}`);
  const mountPath = cleanAbsolute(vfolder.mountPath)!;
  const match = matchStorageMount(hostPath, storageMounts);
  if (match === null) {
    const prefixes = storageMounts.map((m) => m.mountpoint);
    throw new AppError(
      "PRECONDITION_FAILED",
      `vfolder "${vfolder.name}" at ${hostPath} is on no volume this agent can mount inside a VM; ` +
        (prefixes.length === 0
          ? "the agent configures no [[kata.storage-mounts]]"
          : `[[kata.storage-mounts]] mountpoints are ${prefixes.join(", ")}`),
      { vfolder: vfolder.name, hostPath, prefixes },
    );
  }
  const mountpoint = cleanAbsolute(match.mountpoint)!;
  const subpath = hostPath === mountpoint ? "" : path.relative(mountpoint, hostPath);
  const options = vfolder.readOnly ? [match.options, "ro"].filter((o) => o !== "").join(",") : match.options;
  return {
    name: vfolder.name,
    hostPath,
    mountPath,
    readOnly: vfolder.readOnly,
    storageMount: match,
    subpath,
    volume: { fsType: match.fsType, source: joinSource(match.source, subpath), mountpoint: hostPath, options },
  };
}

/**
 * Resolves every vfolder of a kernel. Throws as resolveVfolder, and BAD_INPUT when two vfolders want the
 * same mount path or one would hide another (a mount path inside another's).
 */
export function resolveVfolders(vfolders: readonly VfolderSpec[], storageMounts: readonly StorageMount[]): ResolvedVfolder[] {
  const resolved = vfolders.map((v) => resolveVfolder(v, storageMounts));
  const clash = mountPathClash(resolved);
  if (clash !== null) throw new AppError("BAD_INPUT", clash);
  return resolved;
}

/** storage-mounts.json as the guest's prestart hook reads it (BEP A.9 format, snake_case keys). */
export interface StorageMountsJson {
  storage_nic: { device: string; address: string; gateway: string } | null;
  volumes: { fs_type: string; source: string; mountpoint: string; options: string }[];
  /**
   * Hypercell's addition: the hook also bind-mounts each volume into the container, because an OCI bind
   * mount would make Kata share its source from the *host* over virtio-fs (see docs/decisions.md).
   */
  binds: { source: string; destination: string; readonly: boolean }[];
}

/** The content of storage-mounts.json: the storage NIC, one volume per distinct vfolder source, the binds. */
export function renderStorageMountsJson(resolved: readonly ResolvedVfolder[], storageNic: StorageNic | null): string {
  // Two vfolders can share a host path (one read-only, one not): mount it once, read-only only when
  // every user is; the bind still makes the read-only one read-only.
  const byMountpoint = new Map<string, ResolvedVfolder[]>();
  for (const r of resolved) byMountpoint.set(r.volume.mountpoint, [...(byMountpoint.get(r.volume.mountpoint) ?? []), r]);
  const volumes: StorageMountsJson["volumes"] = [...byMountpoint.values()].map((users) => {
    const first = users[0]!;
    const options = users.every((u) => u.readOnly) ? first.volume.options : first.storageMount.options;
    return { fs_type: first.volume.fsType, source: first.volume.source, mountpoint: first.volume.mountpoint, options };
  });
  // A parent mounted after its child would hide it, so shallower mountpoints go first.
  volumes.sort((x, y) => x.mountpoint.split("/").length - y.mountpoint.split("/").length || (x.mountpoint < y.mountpoint ? -1 : 1));
  const json: StorageMountsJson = {
    storage_nic: storageNic ? { device: storageNic.device, address: storageNic.address, gateway: storageNic.gateway ?? "" } : null,
    volumes,
    binds: resolved.map((r) => ({ source: r.volume.mountpoint, destination: r.mountPath, readonly: r.readOnly })),
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
