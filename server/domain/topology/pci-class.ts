// PCI class codes and vendor IDs the topology rules care about, and the words used for them in
// messages an admin reads. Class codes are `classCode` strings: base class + subclass, 4 hex digits.

export const VENDOR_NVIDIA = "10de";
export const VENDOR_MELLANOX = "15b3";

export const CLASS_VGA = "0300";
export const CLASS_3D = "0302";
export const CLASS_AUDIO = "0403";
export const CLASS_PCI_BRIDGE = "0604";
export const CLASS_OTHER_BRIDGE = "0680";
export const CLASS_ETHERNET = "0200";
export const CLASS_INFINIBAND = "0207";

// Base-class names as the PCI SIG (and lspci) call them, in lower case because they appear mid-sentence.
const BASE_CLASS_NAMES: Record<string, string> = {
  "00": "unclassified device",
  "01": "mass storage controller",
  "02": "network controller",
  "03": "display controller",
  "04": "multimedia controller",
  "05": "memory controller",
  "06": "bridge",
  "07": "communication controller",
  "08": "generic system peripheral",
  "09": "input device controller",
  "0a": "docking station",
  "0b": "processor",
  "0c": "serial bus controller",
  "0d": "wireless controller",
  "0e": "intelligent controller",
  "0f": "satellite communications controller",
  "10": "encryption controller",
  "11": "signal processing controller",
  "12": "processing accelerator",
  "13": "non-essential instrumentation",
  "40": "coprocessor",
  ff: "device of unassigned class",
};

const SUBCLASS_NAMES: Record<string, string> = {
  "0600": "host bridge",
  "0604": "PCI bridge",
  "0680": "bridge",
};

/** "network controller", "PCI bridge", … ; "device of unknown class" when the class is unknown. */
export function describeClass(classCode: string | null): string {
  if (classCode === null) return "device of unknown class";
  return SUBCLASS_NAMES[classCode] ?? BASE_CLASS_NAMES[classCode.slice(0, 2)] ?? `device of class ${classCode}`;
}

interface Identified {
  vendorId: string | null;
  classCode: string | null;
}

/** An NVIDIA display or 3D controller — what the BEP's CUDAVFIOPlugin counts as a GPU. */
export function isGpu(d: Identified): boolean {
  return d.vendorId === VENDOR_NVIDIA && (d.classCode === CLASS_VGA || d.classCode === CLASS_3D);
}

export function isAudio(d: Identified): boolean {
  return d.classCode === CLASS_AUDIO;
}

export function isPciBridge(d: Identified): boolean {
  return d.classCode === CLASS_PCI_BRIDGE;
}

/** NVSwitch: NVIDIA, class "other bridge" (0680). */
export function isNvSwitch(d: Identified): boolean {
  return d.vendorId === VENDOR_NVIDIA && d.classCode === CLASS_OTHER_BRIDGE;
}

/** Mellanox/NVIDIA network adapter (ConnectX, BlueField): vendor 15b3, Ethernet or InfiniBand class. */
export function isRdmaNic(d: Identified): boolean {
  return d.vendorId === VENDOR_MELLANOX && (d.classCode === CLASS_ETHERNET || d.classCode === CLASS_INFINIBAND);
}
