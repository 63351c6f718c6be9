/** Words for host capabilities, shared by the hosts list and the host page. */
export const CONFIDENTIAL_LABEL: Record<string, string> = { tdx: "Intel TDX", sev_snp: "AMD SEV-SNP", none: "none" };

export const PASSTHROUGH_LABEL: Record<string, string> = {
  ready: "ready",
  needs_vfio: "needs vfio-pci",
  unsafe_group: "unsafe IOMMU group",
  no_iommu: "no IOMMU",
};

const CLASS_NAMES: Record<string, string> = {
  "0300": "VGA controller",
  "0302": "3D controller",
  "0403": "audio device",
  "0600": "host bridge",
  "0604": "PCI bridge",
  "0680": "bridge",
  "0200": "Ethernet controller",
  "0207": "InfiniBand controller",
  "0108": "NVMe controller",
  "0106": "SATA controller",
  "0c03": "USB controller",
  "0880": "system peripheral",
  "1200": "processing accelerator",
  "0807": "root complex event collector",
  "0580": "memory controller",
  "1300": "non-essential instrumentation",
};
const BASE_NAMES: Record<string, string> = { "01": "storage controller", "02": "network controller", "03": "display controller", "04": "multimedia device", "06": "bridge", "0c": "serial bus controller", "12": "accelerator", "05": "memory controller", "08": "system peripheral", "13": "instrumentation" };

/** "3D controller" for "0302" or "030200". */
export function describeClass(code: string | null | undefined): string {
  if (!code) return "unknown class";
  const c = code.toLowerCase();
  return CLASS_NAMES[c.slice(0, 4)] ?? BASE_NAMES[c.slice(0, 2)] ?? `class ${code}`;
}

const VENDORS: Record<string, string> = {
  "10de": "NVIDIA",
  "15b3": "Mellanox",
  "8086": "Intel",
  "1022": "AMD",
  "14e4": "Broadcom",
  "1000": "Broadcom/LSI",
  "11f8": "Microchip",
  "10b5": "Broadcom/PLX",
  "144d": "Samsung",
  "1344": "Micron",
  "102b": "Matrox",
  "1a03": "ASPEED",
  "1103": "HighPoint",
};
export function vendorName(id: string | null | undefined): string {
  return (id && VENDORS[id.toLowerCase()]) ?? id ?? "?";
}
