import { execFileSync } from "node:child_process";
import { mkdtempSync, openSync, closeSync, constants, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { readDriverOverride, SysfsTimeoutError, waitUntil, writeSysfs } from "./sysfs-io";

describe("sysfs-io", () => {
  let dir = "";
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const tmp = () => (dir = mkdtempSync(path.join(os.tmpdir(), "sysfs-io-")));

  it("writes without creating: a missing control file is ENOENT, as on real sysfs", async () => {
    tmp();
    await expect(writeSysfs(path.join(dir, "missing"), "x", 1000)).rejects.toMatchObject({ code: "ENOENT" });
    writeFileSync(path.join(dir, "driver_override"), "(null)\n");
    await writeSysfs(path.join(dir, "driver_override"), "vfio-pci", 1000);
    expect(readFileSync(path.join(dir, "driver_override"), "utf8")).toBe("vfio-pci");
  });

  it("gives up on a write that blocks (a FIFO nobody reads stands in for a stuck driver)", async () => {
    tmp();
    const fifo = path.join(dir, "unbind");
    execFileSync("mkfifo", [fifo]);
    const t0 = Date.now();
    await expect(writeSysfs(fifo, "0000:01:00.0", 100)).rejects.toBeInstanceOf(SysfsTimeoutError);
    expect(Date.now() - t0).toBeLessThan(2000);
    // Release the blocked open so the thread it holds goes back to the pool.
    closeSync(openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
  });

  it("reads driver_override as null for (null) and empty", async () => {
    tmp();
    const d = path.join(dir, "bus/pci/devices/0000:01:00.0");
    execFileSync("mkdir", ["-p", d]);
    writeFileSync(path.join(d, "driver_override"), "(null)\n");
    expect(await readDriverOverride(dir, "0000:01:00.0")).toBeNull();
    writeFileSync(path.join(d, "driver_override"), "vfio-pci\n");
    expect(await readDriverOverride(dir, "0000:01:00.0")).toBe("vfio-pci");
  });

  it("waitUntil reports false after the timeout and treats a throwing probe as not yet", async () => {
    expect(await waitUntil(async () => false, 30, 5)).toBe(false);
    let n = 0;
    expect(
      await waitUntil(
        async () => {
          n += 1;
          if (n < 3) throw new Error("link moving");
          return true;
        },
        1000,
        1,
      ),
    ).toBe(true);
  });
});
