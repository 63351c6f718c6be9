// The record of what each device was bound to before the agent moved it to vfio-pci, kept in
// `<stateDir>/vfio-bindings.json`. It is written before sysfs is touched, so an agent that crashes
// half-way through a bind (or a host that reboots) still knows where every device belongs.
import { randomBytes } from "node:crypto";
import { mkdir, open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { AppError } from "../../../errors";
import { errCode } from "./sysfs-io";

export const BINDINGS_FILE = "vfio-bindings.json";
export const BINDINGS_FORMAT_VERSION = 1;

const ZRecord = z.object({
  /** Driver bound before the agent first touched the device; null when none was. */
  originalDriver: z.string().min(1).nullable(),
  /** driver_override before the agent first touched the device; null when "(null)". */
  originalOverride: z.string().min(1).nullable(),
  iommuGroup: z.number().int().nonnegative(),
  /** The GPU whose bind recorded this device. */
  gpu: z.string(),
  recordedAtMs: z.number(),
});

const ZFile = z.object({
  version: z.literal(BINDINGS_FORMAT_VERSION),
  devices: z.record(z.string(), ZRecord),
});

export type BindingRecord = z.infer<typeof ZRecord>;
export type BindingRecords = Record<string, BindingRecord>;

export class BindingStore {
  readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, BINDINGS_FILE);
  }

  /**
   * Every record, by device address; {} when the file does not exist yet. Throws AppError
   * PRECONDITION_FAILED when the file exists but is not a record file this agent wrote: overwriting
   * it would lose where devices belong, so a person has to look at it.
   */
  async load(): Promise<BindingRecords> {
    let text: string;
    try {
      text = await readFile(this.file, "utf8");
    } catch (e) {
      if (errCode(e) === "ENOENT") return {};
      throw new AppError("PRECONDITION_FAILED", `cannot read the VFIO binding records ${this.file}: ${e instanceof Error ? e.message : e}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new AppError("PRECONDITION_FAILED", `${this.file} is not valid JSON (${e instanceof Error ? e.message : e}); fix it or move it away before binding`);
    }
    const parsed = ZFile.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new AppError("PRECONDITION_FAILED", `${this.file} is not a VFIO binding record file (${issue.path.join(".") || "top level"}: ${issue.message}); fix it or move it away before binding`);
    }
    return parsed.data.devices;
  }

  /**
   * Replaces the file with `records`, atomically (temp file in the same directory, fsync, rename), so a
   * crash leaves either the old or the new records, never half of them. Removes the file when there
   * are no records. Throws the fs error when the state directory is not writable.
   */
  async save(records: BindingRecords): Promise<void> {
    const dir = path.dirname(this.file);
    await mkdir(dir, { recursive: true });
    if (Object.keys(records).length === 0) {
      await rm(this.file, { force: true });
      return;
    }
    const sorted = Object.fromEntries(Object.entries(records).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const text = `${JSON.stringify({ version: BINDINGS_FORMAT_VERSION, devices: sorted }, null, 2)}\n`;
    const tmp = path.join(dir, `.${BINDINGS_FILE}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
    const fh = await open(tmp, "w", 0o600);
    try {
      await fh.writeFile(text);
      await fh.sync();
    } finally {
      await fh.close();
    }
    try {
      await rename(tmp, this.file);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    // The rename is only durable once the directory entry is; not every file system lets a directory
    // be opened for fsync, and the data is already safe from a process crash, so this is best effort.
    try {
      const dh = await open(dir, "r");
      try {
        await dh.sync();
      } finally {
        await dh.close();
      }
    } catch {
      /* best effort */
    }
  }
}
