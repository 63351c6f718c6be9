// Simulated 8-GPU HGX H100 host. Transcribed from a real `lspci -vvv` of an 8× H100 SXM5 server
// (fixtures/real/sysfs-pci/lspci-gpud-testdata/lspci-vvv, a Dell PowerEdge XE9680-class machine):
// addresses, bridge chains (from each bridge's secondary bus), NUMA nodes, drivers, BAR addresses and
// sizes are the capture's; vendor/device IDs are the public IDs of the devices lspci names.
// Left out: the ~400 uncore functions (Intel "System peripheral"/"Performance counters") that carry
// no topology. Changed for the simulation, below the table:
//   - seven GPUs already on vfio-pci, one (0000:19:00.0) still on nvidia, as after a partial rollout;
//   - two SR-IOV virtual functions enabled on the storage NIC 0000:9d:00.0;
//   - IOMMU groups as VT-d with ACS-capable switches forms them (the capture has none).
// Topology: two sockets; each of the eight GPUs sits behind a Broadcom PEX890xx switch with one
// ConnectX-7 and one NVMe drive; the four NVSwitches hang off their own PMC switch on socket 1.
import { assignIommuGroups, type FakeHostSpec, type FakePciFunction } from "../../drivers/pci/fake-sysfs";

const CAPTURED: FakePciFunction[] = [
  { address: "0000:00:00.0", vendor: "8086", device: "09a2", class: "088000", revision: "20", numaNode: 0 },
  { address: "0000:00:0c.0", vendor: "8086", device: "1bbc", class: "060400", revision: "11", driver: "pcieport", numaNode: 0, bars: [{ index: 0, start: "0x20fffff20000", size: "128K", type: "mem64" }] },
  { address: "0000:00:0e.0", vendor: "8086", device: "1bbe", class: "060400", revision: "11", driver: "pcieport", numaNode: 0, bars: [{ index: 0, start: "0x20fffff00000", size: "128K", type: "mem64" }] },
  { address: "0000:00:14.0", vendor: "8086", device: "1bcd", class: "0c0330", revision: "11", driver: "xhci_hcd", numaNode: 0, bars: [{ index: 0, start: "0x95a40000", size: "64K", type: "mem64" }] },
  { address: "0000:00:16.0", vendor: "8086", device: "1be0", class: "078000", revision: "11", numaNode: 0, bars: [{ index: 0, start: "0x20fffff45000", size: "4K", type: "mem64" }] },
  { address: "0000:00:18.0", vendor: "8086", device: "1bf2", class: "010601", revision: "11", driver: "ahci", numaNode: 0, bars: [{ index: 0, start: "0x95a52000", size: "8K", type: "mem32" }, { index: 1, start: "0x95a58000", size: "256", type: "mem32" }, { index: 2, start: "0x1068", size: "8", type: "io" }, { index: 3, start: "0x1074", size: "4", type: "io" }, { index: 4, start: "0x1040", size: "32", type: "io" }, { index: 5, start: "0x95a56000", size: "2K", type: "mem32" }] },
  { address: "0000:00:19.0", vendor: "8086", device: "1bd2", class: "010601", revision: "11", driver: "ahci", numaNode: 0, bars: [{ index: 0, start: "0x95a50000", size: "8K", type: "mem32" }, { index: 1, start: "0x95a57000", size: "256", type: "mem32" }, { index: 2, start: "0x1060", size: "8", type: "io" }, { index: 3, start: "0x1070", size: "4", type: "io" }, { index: 4, start: "0x1020", size: "32", type: "io" }, { index: 5, start: "0x95a55000", size: "2K", type: "mem32" }] },
  { address: "0000:00:1f.0", vendor: "8086", device: "1b81", class: "060100", revision: "11", numaNode: 0 },
  { address: "0000:00:1f.4", vendor: "8086", device: "1bc9", class: "0c0500", revision: "11", driver: "i801_smbus", numaNode: 0, bars: [{ index: 0, start: "0x20fffff44000", size: "256", type: "mem64" }, { index: 4, start: "0x1000", size: "32", type: "io" }] },
  { address: "0000:00:1f.5", vendor: "8086", device: "1bca", class: "0c8000", revision: "11", numaNode: 0, bars: [{ index: 0, start: "0xfe010000", size: "4K", type: "mem32" }, { index: 1, start: "0x92000000", size: "32M", type: "mem32" }] },
  { address: "0000:01:00.0", parent: "0000:00:0c.0", vendor: "14e4", device: "165f", class: "020000", subsystemVendor: "1028", subsystemDevice: "165f", driver: "tg3", numaNode: 0, bars: [{ index: 0, start: "0x95930000", size: "64K", type: "mem64-pref" }, { index: 2, start: "0x95940000", size: "64K", type: "mem64-pref" }, { index: 4, start: "0x95950000", size: "64K", type: "mem64-pref" }] },
  { address: "0000:01:00.1", parent: "0000:00:0c.0", vendor: "14e4", device: "165f", class: "020000", subsystemVendor: "1028", subsystemDevice: "165f", driver: "tg3", numaNode: 0, bars: [{ index: 0, start: "0x95900000", size: "64K", type: "mem64-pref" }, { index: 2, start: "0x95910000", size: "64K", type: "mem64-pref" }, { index: 4, start: "0x95920000", size: "64K", type: "mem64-pref" }] },
  { address: "0000:02:00.0", parent: "0000:00:0e.0", vendor: "1556", device: "be00", class: "060400", revision: "02", numaNode: 0 },
  { address: "0000:03:00.0", parent: "0000:02:00.0", vendor: "102b", device: "0536", class: "030000", subsystemVendor: "1028", subsystemDevice: "0b73", revision: "04", driver: "mgag200", numaNode: 0, bars: [{ index: 0, start: "0x94000000", size: "16M", type: "mem32-pref" }, { index: 1, start: "0x95808000", size: "16K", type: "mem32" }, { index: 2, start: "0x95000000", size: "8M", type: "mem32" }] },
  { address: "0000:15:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 0, bars: [{ index: 0, start: "0x21e00a100000", size: "128K", type: "mem64" }] },
  { address: "0000:16:00.0", parent: "0000:15:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:17:00.0", parent: "0000:16:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:17:01.0", parent: "0000:16:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:17:02.0", parent: "0000:16:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:17:03.0", parent: "0000:16:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:17:1f.0", parent: "0000:16:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:18:00.0", parent: "0000:17:00.0", vendor: "1344", device: "51c3", class: "010802", subsystemVendor: "1028", subsystemDevice: "2278", revision: "01", driver: "nvme", numaNode: 0, bars: [{ index: 0, start: "0x96000000", size: "256K", type: "mem64" }] },
  { address: "0000:19:00.0", parent: "0000:17:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 0, bars: [{ index: 0, start: "0x214042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x210000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x214000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:1a:00.0", parent: "0000:17:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 0, bars: [{ index: 0, start: "0x218000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:1b:00.0", parent: "0000:17:03.0", vendor: "15b3", device: "101d", class: "020000", subsystemVendor: "15b3", subsystemDevice: "101d", driver: "mlx5_core", numaNode: 0, bars: [{ index: 0, start: "0x218006000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:1b:00.1", parent: "0000:17:03.0", vendor: "15b3", device: "101d", class: "020000", subsystemVendor: "15b3", subsystemDevice: "101d", driver: "mlx5_core", numaNode: 0, bars: [{ index: 0, start: "0x218008000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:1c:00.0", parent: "0000:17:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 0, bars: [{ index: 0, start: "0x21800e200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:37:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 0, bars: [{ index: 0, start: "0x23e006100000", size: "128K", type: "mem64" }] },
  { address: "0000:38:00.0", parent: "0000:37:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:39:00.0", parent: "0000:38:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:39:01.0", parent: "0000:38:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:39:02.0", parent: "0000:38:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:39:1f.0", parent: "0000:38:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:3a:00.0", parent: "0000:39:00.0", vendor: "1344", device: "51c3", class: "010802", subsystemVendor: "1028", subsystemDevice: "2278", revision: "01", driver: "nvme", numaNode: 0, bars: [{ index: 0, start: "0xa8800000", size: "256K", type: "mem64" }] },
  { address: "0000:3b:00.0", parent: "0000:39:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 0, bars: [{ index: 0, start: "0x234042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x230000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x234000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:3c:00.0", parent: "0000:39:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 0, bars: [{ index: 0, start: "0x238000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:3d:00.0", parent: "0000:39:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 0, bars: [{ index: 0, start: "0x238006200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:48:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 0, bars: [{ index: 0, start: "0x24e006100000", size: "128K", type: "mem64" }] },
  { address: "0000:49:00.0", parent: "0000:48:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:4a:00.0", parent: "0000:49:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:4a:01.0", parent: "0000:49:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:4a:02.0", parent: "0000:49:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:4a:1f.0", parent: "0000:49:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:4b:00.0", parent: "0000:4a:00.0", vendor: "8086", device: "0b60", class: "010802", subsystemVendor: "8086", subsystemDevice: "8008", driver: "nvme", numaNode: 0, bars: [{ index: 0, start: "0xb1000000", size: "16K", type: "mem64" }] },
  { address: "0000:4c:00.0", parent: "0000:4a:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 0, bars: [{ index: 0, start: "0x244042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x240000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x244000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:4d:00.0", parent: "0000:4a:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 0, bars: [{ index: 0, start: "0x248000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:4e:00.0", parent: "0000:4a:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 0, bars: [{ index: 0, start: "0x248006200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:59:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 0, bars: [{ index: 0, start: "0x25e006100000", size: "128K", type: "mem64" }] },
  { address: "0000:5a:00.0", parent: "0000:59:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:5b:00.0", parent: "0000:5a:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:5b:01.0", parent: "0000:5a:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:5b:02.0", parent: "0000:5a:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:5b:1f.0", parent: "0000:5a:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 0 },
  { address: "0000:5c:00.0", parent: "0000:5b:00.0", vendor: "8086", device: "0b60", class: "010802", subsystemVendor: "8086", subsystemDevice: "8008", driver: "nvme", numaNode: 0, bars: [{ index: 0, start: "0xb9800000", size: "16K", type: "mem64" }] },
  { address: "0000:5d:00.0", parent: "0000:5b:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 0, bars: [{ index: 0, start: "0x254042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x250000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x254000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:5e:00.0", parent: "0000:5b:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 0, bars: [{ index: 0, start: "0x258000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:5f:00.0", parent: "0000:5b:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 0, bars: [{ index: 0, start: "0x258006200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:80:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 1, bars: [{ index: 0, start: "0x2affffc00000", size: "128K", type: "mem64" }] },
  { address: "0000:81:00.0", parent: "0000:80:01.0", vendor: "11f8", device: "4128", class: "060400", driver: "pcieport", numaNode: 1 },
  { address: "0000:81:00.1", parent: "0000:80:01.0", vendor: "11f8", device: "4128", class: "058000", driver: "switchtec", numaNode: 1, bars: [{ index: 0, start: "0x2affff800000", size: "4M", type: "mem64-pref" }] },
  { address: "0000:82:00.0", parent: "0000:81:00.0", vendor: "11f8", device: "4128", class: "060400", driver: "pcieport", numaNode: 1 },
  { address: "0000:82:01.0", parent: "0000:81:00.0", vendor: "11f8", device: "4128", class: "060400", driver: "pcieport", numaNode: 1 },
  { address: "0000:82:02.0", parent: "0000:81:00.0", vendor: "11f8", device: "4128", class: "060400", driver: "pcieport", numaNode: 1 },
  { address: "0000:82:03.0", parent: "0000:81:00.0", vendor: "11f8", device: "4128", class: "060400", driver: "pcieport", numaNode: 1 },
  { address: "0000:83:00.0", parent: "0000:82:00.0", vendor: "10de", device: "22a3", class: "068000", revision: "a1", driver: "nvidia-nvswitch", numaNode: 1, bars: [{ index: 0, start: "0xcc000000", size: "32M", type: "mem64" }] },
  { address: "0000:84:00.0", parent: "0000:82:01.0", vendor: "10de", device: "22a3", class: "068000", revision: "a1", driver: "nvidia-nvswitch", numaNode: 1, bars: [{ index: 0, start: "0xca000000", size: "32M", type: "mem64" }] },
  { address: "0000:85:00.0", parent: "0000:82:02.0", vendor: "10de", device: "22a3", class: "068000", revision: "a1", driver: "nvidia-nvswitch", numaNode: 1, bars: [{ index: 0, start: "0xc8000000", size: "32M", type: "mem64" }] },
  { address: "0000:86:00.0", parent: "0000:82:03.0", vendor: "10de", device: "22a3", class: "068000", revision: "a1", driver: "nvidia-nvswitch", numaNode: 1, bars: [{ index: 0, start: "0xc6000000", size: "32M", type: "mem64" }] },
  { address: "0000:97:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 1, bars: [{ index: 0, start: "0x2be00a100000", size: "128K", type: "mem64" }] },
  { address: "0000:98:00.0", parent: "0000:97:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:99:00.0", parent: "0000:98:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:99:01.0", parent: "0000:98:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:99:02.0", parent: "0000:98:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:99:03.0", parent: "0000:98:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:99:1f.0", parent: "0000:98:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:9a:00.0", parent: "0000:99:00.0", vendor: "8086", device: "0b60", class: "010802", subsystemVendor: "8086", subsystemDevice: "8008", driver: "nvme", numaNode: 1, bars: [{ index: 0, start: "0xd2800000", size: "16K", type: "mem64" }] },
  { address: "0000:9b:00.0", parent: "0000:99:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 1, bars: [{ index: 0, start: "0x2b4042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x2b0000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x2b4000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:9c:00.0", parent: "0000:99:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 1, bars: [{ index: 0, start: "0x2b8000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:9d:00.0", parent: "0000:99:03.0", vendor: "15b3", device: "101d", class: "020000", subsystemVendor: "15b3", subsystemDevice: "101d", driver: "mlx5_core", numaNode: 1, bars: [{ index: 0, start: "0x2b8006000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:9d:00.1", parent: "0000:99:03.0", vendor: "15b3", device: "101d", class: "020000", subsystemVendor: "15b3", subsystemDevice: "101d", driver: "mlx5_core", numaNode: 1, bars: [{ index: 0, start: "0x2b8008000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:9e:00.0", parent: "0000:99:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 1, bars: [{ index: 0, start: "0x2b800e200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:b7:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 1, bars: [{ index: 0, start: "0x2de006100000", size: "128K", type: "mem64" }] },
  { address: "0000:b8:00.0", parent: "0000:b7:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:b9:00.0", parent: "0000:b8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:b9:01.0", parent: "0000:b8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:b9:02.0", parent: "0000:b8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:b9:1f.0", parent: "0000:b8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:ba:00.0", parent: "0000:b9:00.0", vendor: "8086", device: "0b60", class: "010802", subsystemVendor: "8086", subsystemDevice: "8008", driver: "nvme", numaNode: 1, bars: [{ index: 0, start: "0xde800000", size: "16K", type: "mem64" }] },
  { address: "0000:bb:00.0", parent: "0000:b9:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 1, bars: [{ index: 0, start: "0x2d4042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x2d0000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x2d4000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:bc:00.0", parent: "0000:b9:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 1, bars: [{ index: 0, start: "0x2d8000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:bd:00.0", parent: "0000:b9:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 1, bars: [{ index: 0, start: "0x2d8006200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:c7:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 1, bars: [{ index: 0, start: "0x2ee006100000", size: "128K", type: "mem64" }] },
  { address: "0000:c8:00.0", parent: "0000:c7:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:c9:00.0", parent: "0000:c8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:c9:01.0", parent: "0000:c8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:c9:02.0", parent: "0000:c8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:c9:1f.0", parent: "0000:c8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:ca:00.0", parent: "0000:c9:00.0", vendor: "8086", device: "0b60", class: "010802", subsystemVendor: "8086", subsystemDevice: "8008", driver: "nvme", numaNode: 1, bars: [{ index: 0, start: "0xe7800000", size: "16K", type: "mem64" }] },
  { address: "0000:cb:00.0", parent: "0000:c9:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 1, bars: [{ index: 0, start: "0x2e4042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x2e0000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x2e4000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:cc:00.0", parent: "0000:c9:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 1, bars: [{ index: 0, start: "0x2e8000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:cd:00.0", parent: "0000:c9:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 1, bars: [{ index: 0, start: "0x2e8006200000", size: "16K", type: "mem64-pref" }] },
  { address: "0000:d7:01.0", vendor: "8086", device: "352a", class: "060400", revision: "04", driver: "pcieport", numaNode: 1, bars: [{ index: 0, start: "0x2fe006100000", size: "128K", type: "mem64" }] },
  { address: "0000:d8:00.0", parent: "0000:d7:01.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:d9:00.0", parent: "0000:d8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:d9:01.0", parent: "0000:d8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:d9:02.0", parent: "0000:d8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:d9:1f.0", parent: "0000:d8:00.0", vendor: "1000", device: "c030", class: "060400", subsystemVendor: "1028", subsystemDevice: "224b", revision: "b0", driver: "pcieport", numaNode: 1 },
  { address: "0000:da:00.0", parent: "0000:d9:00.0", vendor: "8086", device: "0b60", class: "010802", subsystemVendor: "8086", subsystemDevice: "8008", driver: "nvme", numaNode: 1, bars: [{ index: 0, start: "0xf0800000", size: "16K", type: "mem64" }] },
  { address: "0000:db:00.0", parent: "0000:d9:01.0", vendor: "10de", device: "2330", class: "030200", subsystemVendor: "10de", subsystemDevice: "16c1", revision: "a1", driver: "nvidia", numaNode: 1, bars: [{ index: 0, start: "0x2f4042000000", size: "16M", type: "mem64-pref" }, { index: 2, start: "0x2f0000000000", size: "128G", type: "mem64-pref" }, { index: 4, start: "0x2f4000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:dc:00.0", parent: "0000:d9:02.0", vendor: "15b3", device: "1021", class: "020000", subsystemVendor: "15b3", subsystemDevice: "1021", driver: "mlx5_core", numaNode: 1, bars: [{ index: 0, start: "0x2f8000000000", size: "32M", type: "mem64-pref" }] },
  { address: "0000:dd:00.0", parent: "0000:d9:1f.0", vendor: "1000", device: "00b2", class: "010700", subsystemVendor: "1028", subsystemDevice: "2286", revision: "b0", driver: "mpt3sas", numaNode: 1, bars: [{ index: 0, start: "0x2f8006200000", size: "16K", type: "mem64-pref" }] },
];

/** The GPU left on the nvidia driver; binding it to vfio-pci makes it ready. */
export const HGX_NVIDIA_BOUND_GPU = "0000:19:00.0";

const SRIOV_PF = "0000:9d:00.0";
const VIRTUAL_FUNCTIONS: FakePciFunction[] = ["0000:9d:00.2", "0000:9d:00.3"].map((address) => ({
  address,
  parent: "0000:99:03.0",
  vendor: "15b3",
  device: "101e",
  class: "020000",
  subsystemVendor: "15b3",
  subsystemDevice: "101e",
  driver: "mlx5_core",
  numaNode: 1,
  physfn: SRIOV_PF,
  note: "ConnectX-6 Dx virtual function (added for the simulation)",
}));

const devices = [...CAPTURED, ...VIRTUAL_FUNCTIONS].map((d): FakePciFunction => {
  if (d.device === "2330" && d.address !== HGX_NVIDIA_BOUND_GPU) return { ...d, driver: "vfio-pci" };
  if (d.address === SRIOV_PF) return { ...d, totalVfs: 8 };
  return d;
});

export const hgxH100: FakeHostSpec = {
  hostname: "hgx-h100",
  description: "8× H100 SXM5 80GB behind PCIe Gen5 switches, 4 NVSwitches, one ConnectX-7 per GPU, two NUMA nodes",
  source: "fixtures/real/sysfs-pci/lspci-gpud-testdata/lspci-vvv (8× H100 server); drivers, VFs and IOMMU groups set for the simulation",
  iommu: { units: Array.from({ length: 12 }, (_, i) => `dmar${i}`), groupType: "identity" },
  devices: assignIommuGroups(devices, {
    shared: [
      // Functions without ACS share a group, as VT-d groups them.
      ["0000:00:1f.0", "0000:00:1f.4", "0000:00:1f.5"],
      ["0000:01:00.0", "0000:01:00.1"],
      // Conventional PCI behind a PCIe-to-PCI bridge is aliased to the bridge.
      ["0000:02:00.0", "0000:03:00.0"],
      ["0000:1b:00.0", "0000:1b:00.1"],
      ["0000:81:00.0", "0000:81:00.1"],
      ["0000:9d:00.0", "0000:9d:00.1"],
    ],
  }),
};
