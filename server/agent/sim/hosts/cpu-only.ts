// Simulated CPU-only host. Transcribed from a real sysfs tree of a two-socket Intel Xeon 5500-class
// Dell server (fixtures/real/sysfs-pci/hwloc/40intel64-2g2n4c+pcilocality.tar.bz2, gathered by
// hwloc-gather-topology): every PCI function with its IDs, driver, bridge chain, NUMA node (the
// firmware reports -1 for most, as the capture shows) and BARs from its `resource` file.
// Its only display controller is the BMC's Matrox VGA, which is not an NVIDIA GPU, so the host offers
// no GPUs. Changed for the simulation: the IOMMU is on (the 2013 capture predates kernel/iommu_groups),
// with groups as VT-d forms them on this chipset.
import { assignIommuGroups, type FakeHostSpec, type FakePciFunction } from "../../drivers/pci/fake-sysfs";

const CAPTURED: FakePciFunction[] = [
  { address: "0000:00:00.0", vendor: "8086", device: "3407", class: "060000", subsystemVendor: "1028", subsystemDevice: "02d3" },
  { address: "0000:00:03.0", vendor: "8086", device: "340a", class: "060400", driver: "pcieport" },
  { address: "0000:00:05.0", vendor: "8086", device: "340c", class: "060400", driver: "pcieport" },
  { address: "0000:00:06.0", vendor: "8086", device: "340d", class: "060400", driver: "pcieport" },
  { address: "0000:00:07.0", vendor: "8086", device: "340e", class: "060400", driver: "pcieport" },
  { address: "0000:00:08.0", vendor: "8086", device: "340f", class: "060400", driver: "pcieport" },
  { address: "0000:00:09.0", vendor: "8086", device: "3410", class: "060400", driver: "pcieport" },
  { address: "0000:00:0a.0", vendor: "8086", device: "3411", class: "060400", driver: "pcieport" },
  { address: "0000:00:14.0", vendor: "8086", device: "342e", class: "080000" },
  { address: "0000:00:14.1", vendor: "8086", device: "3422", class: "080000" },
  { address: "0000:00:14.2", vendor: "8086", device: "3423", class: "080000" },
  { address: "0000:00:1a.0", vendor: "8086", device: "3a37", class: "0c0300", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "uhci_hcd", bars: [{ index: 4, start: "0x6c40", size: 32, type: "io" }] },
  { address: "0000:00:1a.1", vendor: "8086", device: "3a38", class: "0c0300", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "uhci_hcd", bars: [{ index: 4, start: "0x6c60", size: 32, type: "io" }] },
  { address: "0000:00:1a.7", vendor: "8086", device: "3a3c", class: "0c0320", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "ehci_hcd", bars: [{ index: 0, start: "0xcf0fe000", size: "1K", type: "mem32" }] },
  { address: "0000:00:1c.0", vendor: "8086", device: "3a40", class: "060400", driver: "pcieport" },
  { address: "0000:00:1d.0", vendor: "8086", device: "3a34", class: "0c0300", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "uhci_hcd", bars: [{ index: 4, start: "0x6c80", size: 32, type: "io" }] },
  { address: "0000:00:1d.1", vendor: "8086", device: "3a35", class: "0c0300", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "uhci_hcd", bars: [{ index: 4, start: "0x6ca0", size: 32, type: "io" }] },
  { address: "0000:00:1d.2", vendor: "8086", device: "3a36", class: "0c0300", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "uhci_hcd", bars: [{ index: 4, start: "0x6cc0", size: 32, type: "io" }] },
  { address: "0000:00:1d.7", vendor: "8086", device: "3a3a", class: "0c0320", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "ehci_hcd", bars: [{ index: 0, start: "0xcf0ff000", size: "1K", type: "mem32" }] },
  { address: "0000:00:1e.0", vendor: "8086", device: "244e", class: "060401" },
  { address: "0000:00:1f.0", vendor: "8086", device: "3a18", class: "060100", subsystemVendor: "1028", subsystemDevice: "02d3" },
  { address: "0000:00:1f.2", vendor: "8086", device: "3a20", class: "01018f", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "ata_piix", bars: [{ index: 0, start: "0x6c10", size: 8, type: "io" }, { index: 1, start: "0x6c08", size: 4, type: "io" }, { index: 2, start: "0x6c18", size: 8, type: "io" }, { index: 3, start: "0x6c0c", size: 4, type: "io" }, { index: 4, start: "0x6c20", size: 16, type: "io" }, { index: 5, start: "0x6c30", size: 16, type: "io" }] },
  { address: "0000:01:00.0", parent: "0000:00:03.0", vendor: "1000", device: "0079", class: "010400", subsystemVendor: "1028", subsystemDevice: "1f17", driver: "megaraid_sas", bars: [{ index: 0, start: "0x7c00", size: 256, type: "io" }, { index: 1, start: "0xcf1bc000", size: "16K", type: "mem64" }, { index: 3, start: "0xcf1c0000", size: "256K", type: "mem64" }] },
  { address: "0000:02:00.0", parent: "0000:00:05.0", vendor: "14e4", device: "1639", class: "020000", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "bnx2", bars: [{ index: 0, start: "0xc6000000", size: "32M", type: "mem64" }] },
  { address: "0000:02:00.1", parent: "0000:00:05.0", vendor: "14e4", device: "1639", class: "020000", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "bnx2", bars: [{ index: 0, start: "0xc8000000", size: "32M", type: "mem64" }] },
  { address: "0000:03:00.0", parent: "0000:00:06.0", vendor: "14e4", device: "1639", class: "020000", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "bnx2", bars: [{ index: 0, start: "0xca000000", size: "32M", type: "mem64" }] },
  { address: "0000:03:00.1", parent: "0000:00:06.0", vendor: "14e4", device: "1639", class: "020000", subsystemVendor: "1028", subsystemDevice: "02d3", driver: "bnx2", bars: [{ index: 0, start: "0xcc000000", size: "32M", type: "mem64" }] },
  { address: "0000:09:03.0", parent: "0000:00:1e.0", vendor: "102b", device: "0532", class: "030000", subsystemVendor: "1028", subsystemDevice: "02d3", bars: [{ index: 0, start: "0xc5000000", size: "8M", type: "mem32" }, { index: 1, start: "0xce7fc000", size: "16K", type: "mem32" }, { index: 2, start: "0xce800000", size: "8M", type: "mem32" }] },
  { address: "0000:40:01.0", vendor: "8086", device: "3408", class: "060400", driver: "pcieport" },
  { address: "0000:40:03.0", vendor: "8086", device: "340a", class: "060400", driver: "pcieport" },
  { address: "0000:40:05.0", vendor: "8086", device: "340c", class: "060400", driver: "pcieport" },
  { address: "0000:40:07.0", vendor: "8086", device: "340e", class: "060400", driver: "pcieport" },
  { address: "0000:40:09.0", vendor: "8086", device: "3410", class: "060400", driver: "pcieport" },
  { address: "0000:40:14.0", vendor: "8086", device: "342e", class: "080000" },
  { address: "0000:40:14.1", vendor: "8086", device: "3422", class: "080000" },
  { address: "0000:40:14.2", vendor: "8086", device: "3423", class: "080000" },
  { address: "0000:43:00.0", parent: "0000:40:03.0", vendor: "1077", device: "7322", class: "0c0600", subsystemVendor: "1077", subsystemDevice: "7322", driver: "ib_qib", numaNode: 2, bars: [{ index: 0, start: "0xfb400000", size: "4M", type: "mem64" }] },
];

export const cpuOnly: FakeHostSpec = {
  hostname: "cpu-only",
  description: "two-socket Xeon server without GPUs: RAID controller, four Broadcom NICs, a QLogic InfiniBand HCA, BMC VGA",
  source: "fixtures/real/sysfs-pci/hwloc/40intel64-2g2n4c+pcilocality.tar.bz2 (sysfs tree); IOMMU turned on for the simulation",
  iommu: { units: ["dmar0", "dmar1"], groupType: "DMA" },
  devices: assignIommuGroups(CAPTURED, {
    shared: [
      // Chipset functions without ACS, and the PCI bridge with the conventional-PCI VGA behind it.
      ["0000:00:14.0", "0000:00:14.1", "0000:00:14.2"],
      ["0000:40:14.0", "0000:40:14.1", "0000:40:14.2"],
      ["0000:00:1a.0", "0000:00:1a.1", "0000:00:1a.7"],
      ["0000:00:1d.0", "0000:00:1d.1", "0000:00:1d.2", "0000:00:1d.7"],
      ["0000:00:1e.0", "0000:09:03.0"],
      ["0000:00:1f.0", "0000:00:1f.2"],
      ["0000:02:00.0", "0000:02:00.1"],
      ["0000:03:00.0", "0000:03:00.1"],
    ],
  }),
};
