// Path rules shared by the console (validating a launch), the scheduler (which host can mount a
// vfolder) and the agent (resolving a vfolder to the guest volume that carries it). Pure.
import path from "node:path/posix";

/** Container paths a vfolder may not take: they belong to the intrinsic mounts or the kernel. */
export const RESERVED_MOUNT_PATHS = ["/home/config", "/etc/hosts", "/tmp", "/proc", "/sys", "/dev"] as const;

/** Where a vfolder appears in the container unless the launcher says otherwise (Backend.AI's habit). */
export const DEFAULT_VFOLDER_PARENT = "/home/work";

/** Whether `child` is `parent` or below it, by whole path segments (/a/bc is not under /a/b). */
export function isUnder(child: string, parent: string): boolean {
  return parent === "/" || child === parent || child.startsWith(`${parent}/`);
}

/** An absolute path with no ".", ".." or empty segments (a trailing slash is dropped); null otherwise. */
export function cleanAbsolute(p: string): string | null {
  if (!p.startsWith("/") || p.includes("\0")) return null;
  const trimmed = p.length > 1 ? p.replace(/\/+$/, "") : p;
  const segments = trimmed.split("/").slice(1);
  if (trimmed !== "/" && segments.some((s) => s === "" || s === "." || s === "..")) return null;
  return trimmed;
}

/**
 * The longest of `mountpoints` that holds `hostPath` by whole segments (/mnt/vfstore holds
 * /mnt/vfstore/x but not /mnt/vfstore2/x); null when none does. Malformed mountpoints never match.
 */
export function longestCoveringMountpoint(hostPath: string, mountpoints: readonly string[]): string | null {
  let best: string | null = null;
  for (const m of mountpoints) {
    const clean = cleanAbsolute(m);
    if (clean === null || !isUnder(hostPath, clean)) continue;
    if (best === null || clean.length > best.length) best = clean;
  }
  return best;
}

/**
 * Why `mountPath` cannot hold a vfolder, in words, or null when it can: it must be a clean absolute
 * path below / and outside the kernel's own mounts.
 */
export function mountPathProblem(mountPath: string): string | null {
  const clean = cleanAbsolute(mountPath);
  if (clean === null || clean === "/") return `${JSON.stringify(mountPath)} is not a clean absolute path below / (no ".", ".." or empty parts)`;
  const reserved = RESERVED_MOUNT_PATHS.find((r) => isUnder(clean, r));
  if (reserved !== undefined) return `${clean} is inside ${reserved}, which the kernel's own mounts use`;
  return null;
}

/**
 * For mount paths of one kernel: the first pair where one would hide the other (same path, or one
 * inside the other), as a sentence; null when they can all coexist.
 */
export function mountPathClash(mounts: readonly { name: string; mountPath: string }[]): string | null {
  for (let i = 0; i < mounts.length; i++) {
    for (let j = 0; j < mounts.length; j++) {
      const a = mounts[i]!;
      const b = mounts[j]!;
      if (i === j || !isUnder(b.mountPath, a.mountPath) || (a.mountPath === b.mountPath && i > j)) continue;
      return a.mountPath === b.mountPath ? `vfolders "${a.name}" and "${b.name}" both want ${a.mountPath}` : `vfolder "${b.name}" at ${b.mountPath} would sit inside vfolder "${a.name}" at ${a.mountPath}`;
    }
  }
  return null;
}

/**
 * Where a new vfolder lives on the hosts, spread like Backend.AI's storage proxy does so no directory
 * grows huge: <mountpoint>/<project id>/<id[0:2]>/<id[2:4]>/<rest of id>, the id without dashes.
 */
export function vfolderHostPath(volumeMountpoint: string, projectId: string, vfolderId: string): string {
  const hex = vfolderId.replace(/-/g, "");
  return path.join(volumeMountpoint, projectId, hex.slice(0, 2), hex.slice(2, 4), hex.slice(4));
}
