// Simulated host with the IOMMU off. Transcribed from a real sysfs snapshot of a QEMU/KVM guest with a
// Tesla P100 handed to it (fixtures/real/sysfs-pci/ghw-snapshots/linux-amd64-accel-nvidia.tar.gz):
// the q35 root ports, the virtio devices and the P100 on the nvidia driver, with subsystem IDs from the
// snapshot's modalias files. The guest has no virtual IOMMU, so there are no groups and nothing in
// class/iommu: the GPU can never be passed on (no-iommu). Added for the simulation: the P100's BARs
// (the snapshot has no `resource` files), with the sizes the card exposes.
import type { FakeHostSpec, FakePciFunction } from "../../drivers/pci/fake-sysfs";

const P100_BARS: FakePciFunction["bars"] = [
  { index: 0, start: "0xfc000000", size: "16M", type: "mem32" },
  { index: 1, start: "0x800000000", size: "16G", type: "mem64-pref" },
  { index: 3, start: "0xc00000000", size: "32M", type: "mem64-pref" },
];

const CAPTURED: FakePciFunction[] = [
  { address: "0000:00:00.0", vendor: "8086", device: "29c0", class: "060000", subsystemVendor: "1af4", subsystemDevice: "1100" },
  { address: "0000:00:01.0", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.1", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.2", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.3", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.4", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.5", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.6", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:01.7", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:02.0", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:02.1", vendor: "1b36", device: "000c", class: "060400", subsystemVendor: "1b36", subsystemDevice: "0000", driver: "pcieport" },
  { address: "0000:00:1f.0", vendor: "8086", device: "2918", class: "060100", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "02" },
  { address: "0000:00:1f.2", vendor: "8086", device: "2922", class: "010601", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "02", driver: "ahci" },
  { address: "0000:00:1f.3", vendor: "8086", device: "2930", class: "0c0500", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "02" },
  { address: "0000:01:00.0", parent: "0000:00:01.0", vendor: "1af4", device: "1045", class: "00ff00", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:01:00.1", parent: "0000:00:01.0", vendor: "1af4", device: "1044", class: "00ff00", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:01:00.2", parent: "0000:00:01.0", vendor: "1af4", device: "1052", class: "090000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:01:00.3", parent: "0000:00:01.0", vendor: "1af4", device: "1052", class: "098000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:01:00.4", parent: "0000:00:01.0", vendor: "1af4", device: "1053", class: "078000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:01:00.5", parent: "0000:00:01.0", vendor: "1af4", device: "1043", class: "078000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:01:00.6", parent: "0000:00:01.0", vendor: "1b36", device: "000d", class: "0c0330", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01" },
  { address: "0000:02:00.0", parent: "0000:00:01.1", vendor: "1af4", device: "1048", class: "010000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:03:00.0", parent: "0000:00:01.2", vendor: "1af4", device: "1049", class: "000200", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:03:00.1", parent: "0000:00:01.2", vendor: "1af4", device: "105a", class: "018000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:03:00.2", parent: "0000:00:01.2", vendor: "1af4", device: "105a", class: "018000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:03:00.3", parent: "0000:00:01.2", vendor: "1af4", device: "1049", class: "000200", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:04:00.0", parent: "0000:00:01.3", vendor: "1af4", device: "1050", class: "030000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:05:00.0", parent: "0000:00:01.4", vendor: "1af4", device: "1041", class: "020000", subsystemVendor: "1af4", subsystemDevice: "1100", revision: "01", driver: "virtio-pci" },
  { address: "0000:06:00.0", parent: "0000:00:01.5", vendor: "10de", device: "15f8", class: "030200", subsystemVendor: "10de", subsystemDevice: "118f", revision: "a1", driver: "nvidia", bars: P100_BARS },
];

export const iommuOff: FakeHostSpec = {
  hostname: "iommu-off",
  description: "KVM guest with a Tesla P100 on the nvidia driver and no IOMMU",
  source: "fixtures/real/sysfs-pci/ghw-snapshots/linux-amd64-accel-nvidia.tar.gz (sysfs snapshot); P100 BARs added",
  iommu: null,
  devices: CAPTURED,
};
