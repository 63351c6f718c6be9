// Simulated 4-GPU PCIe host. Transcribed from the real `lspci -tv` of an ASUS ESC8000A-E12 (dual AMD
// EPYC Genoa) with four RTX 6000 Ada cards (fixtures/real/sysfs-pci/lspci-tv/asus-esc8000a-e12.lspci-tv.txt):
// the eight root complexes, which root port each card, NIC, drive and the BMC's VGA sits behind, and
// the HighPoint NVMe cards' two-level switch chains are the capture's. IDs are the public IDs of the
// devices lspci names; the RTX 6000 Ada subsystem ID and BAR1 size (256 MiB) come from the nvidia-smi
// capture of the same kind of card (fixtures/real/nvidia-smi/thamada-captures/RTX6000Ada_x8.nvidia-smi-q.txt).
// BAR addresses are laid out per root complex, as the firmware would, but are not captured.
//
// Changed for the simulation, to show the three ways a GPU is held back:
//   - root complex e0 has ACS turned off in the firmware, and the capture's HighPoint card behind
//     e0:05.2 is replaced by an Intel E810 NIC: the GPU at e1:00.0 shares its IOMMU group with the NIC
//     (unsafe-group, and correctly refused);
//   - the GPU at c1:00.0 is on vfio-pci but its audio function still on snd_hda_intel (needs-vfio);
//   - the GPUs at 01:00.0 and 41:00.0 are fully on vfio-pci (ready).
// NUMA: NPS1, root complexes 00/20/40/60 on socket 0, 80/a0/c0/e0 on socket 1.
import { assignIommuGroups, type FakeHostSpec, type FakePciFunction } from "../../drivers/pci/fake-sysfs";

const AMD = "1022";
const ROOT_COMPLEXES = ["00", "20", "40", "60", "80", "a0", "c0", "e0"] as const;
const numaOf = (bus: string) => (Number.parseInt(bus, 16) < 0x80 ? 0 : 1);

/** The functions every Genoa root complex shows on its root bus. */
function rootComplex(bus: string, index: number): FakePciFunction[] {
  const at = (dev: string) => `0000:${bus}:${dev}`;
  const numaNode = numaOf(bus);
  const devices: FakePciFunction[] = [
    { address: at("00.0"), vendor: AMD, device: "14a4", class: "060000", numaNode, note: "root complex" },
    { address: at("00.3"), vendor: AMD, device: "14a6", class: "080700", driver: "pcieport", numaNode, note: "root complex event collector" },
  ];
  for (const dev of ["01", "02", "03", "04", "05", "07"]) {
    devices.push({ address: at(`${dev}.0`), vendor: AMD, device: "149f", class: "060000", numaNode, note: "dummy host bridge" });
  }
  devices.push({ address: at("07.1"), vendor: AMD, device: "14a7", class: "060400", driver: "pcieport", numaNode, note: "internal GPP bridge" });
  // Behind 07.1: the root complex's own dummy function and reserved SPP, USB and PSP on some of them.
  const internal = `0000:${(Number.parseInt(bus, 16) + [3, 2, 2, 0x16, 4, 0x14, 4, 3][index]!).toString(16).padStart(2, "0")}`;
  devices.push(
    { address: `${internal}:00.0`, parent: at("07.1"), vendor: AMD, device: "14ac", class: "130000", numaNode },
    { address: `${internal}:00.1`, parent: at("07.1"), vendor: AMD, device: "14dc", class: "130000", numaNode },
  );
  if (["00", "60", "80", "e0"].includes(bus)) {
    devices.push({
      address: `${internal}:00.4`,
      parent: at("07.1"),
      vendor: AMD,
      device: "14c9",
      class: "0c0330",
      driver: "xhci_hcd",
      numaNode,
      bars: [{ index: 0, start: `0x${(0xf0000000 + index * 0x2000000).toString(16)}`, size: "1M", type: "mem64" }],
    });
  }
  if (["00", "80"].includes(bus)) {
    devices.push({ address: `${internal}:00.5`, parent: at("07.1"), vendor: AMD, device: "14ca", class: "108000", driver: "ccp", numaNode });
  }
  return devices;
}

function rootPort(address: string, numaNode: number): FakePciFunction {
  return { address, vendor: AMD, device: "14ab", class: "060400", driver: "pcieport", numaNode };
}

/** RTX 6000 Ada (VGA function + HD audio function), BARs as the card exposes them without Resizable BAR. */
function rtx6000Ada(bus: string, parent: string, mmio: number, gpuDriver: string, audioDriver: string): FakePciFunction[] {
  const numaNode = numaOf(parent.slice(5, 7));
  const hex = (n: number) => `0x${n.toString(16)}`;
  return [
    {
      address: `0000:${bus}:00.0`,
      parent,
      vendor: "10de",
      device: "26b1",
      class: "030000",
      subsystemVendor: "10de",
      subsystemDevice: "16a1",
      revision: "a1",
      driver: gpuDriver,
      numaNode,
      bars: [
        { index: 0, start: hex(0xf0000000 + (mmio % 8) * 0x1000000), size: "16M", type: "mem32" },
        { index: 1, start: hex(mmio * 0x10000000000), size: "256M", type: "mem64-pref" },
        { index: 3, start: hex(mmio * 0x10000000000 + 0x10000000), size: "32M", type: "mem64-pref" },
        { index: 5, start: hex(0x1000 * (mmio + 1)), size: 128, type: "io" },
      ],
    },
    {
      address: `0000:${bus}:00.1`,
      parent,
      vendor: "10de",
      device: "22ba",
      class: "040300",
      subsystemVendor: "10de",
      subsystemDevice: "16a1",
      revision: "a1",
      driver: audioDriver,
      numaNode,
      bars: [{ index: 0, start: hex(0xf1000000 + (mmio % 8) * 0x100000), size: "16K", type: "mem32" }],
    },
  ];
}

function connectX7(bus: string, parent: string, mmio: number): FakePciFunction[] {
  const numaNode = numaOf(parent.slice(5, 7));
  return ["0", "1"].map((fn) => ({
    address: `0000:${bus}:00.${fn}`,
    parent,
    vendor: "15b3",
    device: "1021",
    class: "020700",
    subsystemVendor: "15b3",
    subsystemDevice: "0041",
    driver: "mlx5_core",
    numaNode,
    bars: [{ index: 0, start: `0x${(mmio * 0x10000000000 + Number(fn) * 0x2000000).toString(16)}`, size: "32M", type: "mem64-pref" as const }],
  }));
}

/**
 * HighPoint SSD7540: a PCIe switch with two nested switches carrying eight NVMe drives, as the capture
 * shows behind root ports 60:01.1 and a0:01.1 (buses first..first+0x12).
 */
function highPointCard(rootPortAddress: string, first: number): FakePciFunction[] {
  const numaNode = numaOf(rootPortAddress.slice(5, 7));
  const b = (offset: number) => (first + offset).toString(16).padStart(2, "0");
  const sw = (address: string, parent: string): FakePciFunction => ({ address, parent, vendor: "1000", device: "c010", class: "060400", driver: "pcieport", numaNode });
  const drive = (address: string, parent: string): FakePciFunction => ({ address, parent, vendor: "144d", device: "a80a", class: "010802", driver: "nvme", numaNode, bars: [{ index: 0, start: `0x${(0xe0000000 + first * 0x100000 + Number.parseInt(address.slice(5, 7), 16) * 0x4000).toString(16)}`, size: "16K", type: "mem64" }] });
  const up = `0000:${b(0)}:00.0`;
  const devices: FakePciFunction[] = [sw(up, rootPortAddress)];
  for (const dev of ["00.0", "04.0", "0c.0", "1c.0"]) devices.push(sw(`0000:${b(1)}:${dev}`, up));
  // Two second-level switches with four drives each.
  for (const [dev, upBus, ports] of [["00.0", 2, ["10.0", "14.0", "18.0", "1c.0"]], ["04.0", 8, ["00.0", "04.0", "08.0", "0c.0"]]] as const) {
    const up2 = `0000:${b(upBus)}:00.0`;
    devices.push(sw(up2, `0000:${b(1)}:${dev}`));
    ports.forEach((port, i) => {
      const down = `0000:${b(upBus + 1)}:${port}`;
      devices.push(sw(down, up2));
      devices.push(drive(`0000:${b(upBus + 2 + i)}:00.0`, down));
    });
  }
  // The RAID controller function behind the third branch.
  const up3 = `0000:${b(0xe)}:00.0`;
  devices.push(sw(up3, `0000:${b(1)}:0c.0`));
  devices.push(sw(`0000:${b(0xf)}:14.0`, up3), sw(`0000:${b(0xf)}:15.0`, up3));
  devices.push({ address: `0000:${b(0x10)}:00.0`, parent: `0000:${b(0xf)}:14.0`, vendor: "1103", device: "7540", class: "010400", numaNode });
  return devices;
}

const devices: FakePciFunction[] = [
  ...ROOT_COMPLEXES.flatMap((bus, i) => rootComplex(bus, i)),
  // FCH (southbridge) on root complex 00.
  { address: "0000:00:14.0", vendor: AMD, device: "790b", class: "0c0500", revision: "71", driver: "piix4_smbus", numaNode: 0 },
  { address: "0000:00:14.3", vendor: AMD, device: "790e", class: "060100", revision: "51", numaNode: 0 },
  // Data fabric functions of both sockets.
  ...["18", "19"].flatMap((dev) =>
    Array.from({ length: 8 }, (_, fn): FakePciFunction => ({ address: `0000:00:${dev}.${fn}`, vendor: AMD, device: (0x14ad + fn).toString(16), class: "060000", numaNode: 0 })),
  ),
  // 00: GPU 0 and the boot drive.
  rootPort("0000:00:01.1", 0),
  ...rtx6000Ada("01", "0000:00:01.1", 1, "vfio-pci", "vfio-pci"),
  rootPort("0000:00:05.1", 0),
  { address: "0000:02:00.0", parent: "0000:00:05.1", vendor: "144d", device: "a808", class: "010802", driver: "nvme", numaNode: 0, bars: [{ index: 0, start: "0xf7600000", size: "16K", type: "mem64" }] },
  // 20: ConnectX-7.
  rootPort("0000:20:03.1", 0),
  ...connectX7("21", "0000:20:03.1", 2),
  // 40: GPU 1.
  rootPort("0000:40:01.1", 0),
  ...rtx6000Ada("41", "0000:40:01.1", 3, "vfio-pci", "vfio-pci"),
  // 60: HighPoint NVMe card and the BMC's VGA behind an AST1150 bridge.
  rootPort("0000:60:01.1", 0),
  ...highPointCard("0000:60:01.1", 0x61),
  rootPort("0000:60:05.2", 0),
  { address: "0000:74:00.0", parent: "0000:60:05.2", vendor: "1a03", device: "1150", class: "060400", revision: "06", numaNode: 0 },
  { address: "0000:75:00.0", parent: "0000:74:00.0", vendor: "1a03", device: "2000", class: "030000", revision: "52", driver: "ast", numaNode: 0, bars: [{ index: 0, start: "0xf8000000", size: "64M", type: "mem32" }, { index: 1, start: "0xfc000000", size: "256K", type: "mem32" }, { index: 2, start: "0x2000", size: 128, type: "io" }] },
  // 80: ConnectX-7 and the X710 management NIC.
  rootPort("0000:80:01.1", 1),
  ...connectX7("81", "0000:80:01.1", 5),
  rootPort("0000:80:05.1", 1),
  ...["0", "1"].map((fn): FakePciFunction => ({ address: `0000:82:00.${fn}`, parent: "0000:80:05.1", vendor: "8086", device: "15ff", class: "020000", subsystemVendor: "8086", subsystemDevice: "0000", revision: "02", driver: "i40e", numaNode: 1, bars: [{ index: 0, start: `0x${(0x50000000000 + Number(fn) * 0x1000000).toString(16)}`, size: "8M", type: "mem64-pref" }, { index: 3, start: `0x${(0x50002000000 + Number(fn) * 0x8000).toString(16)}`, size: "32K", type: "mem64-pref" }] })),
  // a0: second HighPoint card.
  rootPort("0000:a0:01.1", 1),
  ...highPointCard("0000:a0:01.1", 0xa1),
  // c0: GPU 2, audio function still on the host's sound driver.
  rootPort("0000:c0:01.1", 1),
  ...rtx6000Ada("c1", "0000:c0:01.1", 7, "vfio-pci", "snd_hda_intel"),
  rootPort("0000:c0:03.2", 1),
  rootPort("0000:c0:03.3", 1),
  // e0: GPU 3 and (in place of the capture's HighPoint card) an Intel E810, with ACS off.
  rootPort("0000:e0:01.1", 1),
  ...rtx6000Ada("e1", "0000:e0:01.1", 8, "nvidia", "snd_hda_intel"),
  rootPort("0000:e0:05.2", 1),
  ...["0", "1"].map((fn): FakePciFunction => ({ address: `0000:e2:00.${fn}`, parent: "0000:e0:05.2", vendor: "8086", device: "1593", class: "020000", subsystemVendor: "8086", subsystemDevice: "0005", revision: "02", driver: "ice", numaNode: 1, note: "replaces the capture's HighPoint card", bars: [{ index: 0, start: `0x${(0x90000000000 + Number(fn) * 0x2000000).toString(16)}`, size: "32M", type: "mem64-pref" }, { index: 3, start: `0x${(0x90004000000 + Number(fn) * 0x10000).toString(16)}`, size: "64K", type: "mem64-pref" }] })),
];

/** The GPU whose group also holds the E810 NIC. */
export const PCIE_UNSAFE_GPU = "0000:e1:00.0";

export const pcie4Gpu: FakeHostSpec = {
  hostname: "pcie-4gpu",
  description: "4× RTX 6000 Ada on PCIe root ports of a dual-socket EPYC server; one GPU shares its IOMMU group with an Intel E810 NIC",
  source: "fixtures/real/sysfs-pci/lspci-tv/asus-esc8000a-e12.lspci-tv.txt; E810 NIC, ACS-off root complex e0, drivers and IOMMU groups set for the simulation",
  iommu: { units: ROOT_COMPLEXES.map((_, i) => `ivhd${i}`), groupType: "identity" },
  devices: assignIommuGroups(devices, {
    shared: [
      ["0000:00:14.0", "0000:00:14.3"],
      Array.from({ length: 8 }, (_, fn) => `0000:00:18.${fn}`),
      Array.from({ length: 8 }, (_, fn) => `0000:00:19.${fn}`),
      ["0000:74:00.0", "0000:75:00.0"],
      // Multi-function devices without ACS between their functions.
      ["0000:21:00.0", "0000:21:00.1"],
      ["0000:81:00.0", "0000:81:00.1"],
      ["0000:82:00.0", "0000:82:00.1"],
      ["0000:01:00.0", "0000:01:00.1"],
      ["0000:41:00.0", "0000:41:00.1"],
      ["0000:c1:00.0", "0000:c1:00.1"],
      // ACS off on root complex e0: both root ports and everything below them form one group.
      ["0000:e0:01.1", "0000:e0:05.2", "0000:e1:00.0", "0000:e1:00.1", "0000:e2:00.0", "0000:e2:00.1"],
    ],
  }),
};
