// The few sysfs operations binding needs, written so they behave the same on a real /sys and on a
// fake tree answered by FakeKernel.
//
// Writes open the file O_WRONLY|O_TRUNC without O_CREAT, as `echo x > file` does minus the create:
// sysfs control files (bind, unbind, drivers_probe) are write-only, so O_RDWR would be refused, and a
// missing file (a driver that is not loaded) must fail with ENOENT rather than appear in a fake tree.
// A write to real sysfs runs the driver's probe/remove inside the write() call and can block for as
// long as the driver likes (nvidia's remove waits for every open handle), so every write races a timer.
import { constants } from "node:fs";
import { open, readFile, readlink } from "node:fs/promises";
import path from "node:path";

export class SysfsTimeoutError extends Error {
  constructor(readonly file: string, readonly timeoutMs: number) {
    super(`writing ${file} did not return within ${timeoutMs} ms`);
    this.name = "SysfsTimeoutError";
  }
}

export function errCode(err: unknown): string | undefined {
  return typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : undefined;
}

export function describeError(err: unknown): string {
  if (err instanceof SysfsTimeoutError) return err.message;
  const code = errCode(err);
  const msg = err instanceof Error ? err.message : String(err);
  return code ? `${code}: ${msg}` : msg;
}

/**
 * Writes `text` to a sysfs attribute. Rejects with SysfsTimeoutError when the write has not returned
 * after `timeoutMs` (the syscall keeps its libuv thread until the kernel lets go; the descriptor is
 * closed then), and with the fs error (ENOENT, EINVAL, ENODEV, EBUSY…) when the kernel refuses it.
 */
export async function writeSysfs(file: string, text: string, timeoutMs: number): Promise<void> {
  const work = (async () => {
    const fh = await open(file, constants.O_WRONLY | constants.O_TRUNC);
    try {
      await fh.write(text);
    } finally {
      await fh.close();
    }
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SysfsTimeoutError(file, timeoutMs)), timeoutMs);
  });
  try {
    await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    // A write that lost the race may still fail later; nobody is waiting for it any more.
    work.catch(() => undefined);
  }
}

/** The driver a device is bound to (the last part of its `driver` link), or null when unbound. */
export async function readBoundDriver(sysfsRoot: string, address: string): Promise<string | null> {
  try {
    return path.basename(await readlink(path.join(sysfsRoot, "bus/pci/devices", address, "driver")));
  } catch (e) {
    if (errCode(e) === "ENOENT") return null;
    throw e;
  }
}

/**
 * The device's driver_override: null when the kernel shows "(null)" (or an empty file, as some old
 * kernels do). Throws the fs error when the attribute cannot be read (device gone, kernel < 3.16).
 */
export async function readDriverOverride(sysfsRoot: string, address: string): Promise<string | null> {
  const text = (await readFile(path.join(sysfsRoot, "bus/pci/devices", address, "driver_override"), "utf8")).trim();
  return text === "" || text === "(null)" ? null : text;
}

/**
 * Polls `probe` every `pollMs` until it returns true or `timeoutMs` has passed. Returns whether it
 * became true; a probe that throws counts as false (sysfs links come and go while drivers move).
 */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number, pollMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    const left = deadline - Date.now();
    if (left <= 0) return false;
    await new Promise((r) => setTimeout(r, Math.min(pollMs, left)));
  }
}
