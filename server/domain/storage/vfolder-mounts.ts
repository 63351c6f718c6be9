// A session's vfolders as stored at launch (Session.vfolderMounts, JSON) and read back by the
// scheduler (where can they be mounted) and the lifecycle (what CreateKernel carries). Pure.

export interface VfolderMount {
  vfolderId?: string;
  name: string;
  /** The storage volume's name, for people (pending reasons). */
  volume?: string;
  /** Where the volume has the vfolder on the hosts. */
  hostPath: string;
  /** Where the container sees it. */
  mountPath: string;
  readOnly: boolean;
}

/** The well-formed entries of a stored `vfolderMounts` value; anything else is skipped. */
export function parseVfolderMounts(json: unknown): VfolderMount[] {
  if (!Array.isArray(json)) return [];
  return (json as Record<string, unknown>[])
    .filter((m) => m !== null && typeof m === "object" && typeof m.name === "string" && typeof m.hostPath === "string" && typeof m.mountPath === "string")
    .map((m) => ({
      ...(typeof m.vfolderId === "string" ? { vfolderId: m.vfolderId } : {}),
      name: m.name as string,
      ...(typeof m.volume === "string" ? { volume: m.volume } : {}),
      hostPath: m.hostPath as string,
      mountPath: m.mountPath as string,
      readOnly: m.readOnly === true,
    }));
}
