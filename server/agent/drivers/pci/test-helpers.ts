// Shared by the tests of this folder: unpack the PCI part of a real capture (a tarball of /sys) into a
// temp directory. Only what PCI discovery reads is unpacked: file systems here are slow with many small
// files, and the captures also hold /proc, block devices and power-management attributes.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Unpacked {
  dir: string;
  cleanup(): void;
}

const WANTED = /(^|\/)sys\/(bus\/pci\/(devices|drivers)|devices\/pci[0-9a-f:]+|kernel\/iommu_groups|class\/iommu)(\/|$)/;
const NOISE = /\/(power|msi_irqs|infiniband[^/]*|net|block|host\d+|pci_bus|firmware_node|drm|scsi_host|wakeup\d*|ata\d+|usb\d+|nvme\d*)(\/|$)/;

/** Unpacks a .tar.gz/.tar.bz2 capture with the system tar (it detects the compression itself). */
export function unpackCapture(tarball: string): Unpacked {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sysfs-capture-"));
  const names = execFileSync("tar", ["-tf", tarball], { encoding: "utf8", maxBuffer: 64 << 20 })
    .split("\n")
    .filter((n) => n !== "" && WANTED.test(n) && !NOISE.test(n.slice(n.indexOf("sys/"))));
  const list = path.join(dir, ".members");
  writeFileSync(list, `${names.join("\n")}\n`);
  execFileSync("tar", ["-xf", tarball, "-C", dir, "--no-recursion", "-T", list], { stdio: "pipe" });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
