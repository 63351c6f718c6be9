// NVIDIA data-centre GPU models by PCI device ID (vendor 10de). With the GPU on vfio-pci there is no
// NVML to ask, so the model and memory come from this table (the BEP's PCI_DEVICE_ID_MAP).
//
// `memoryMiB` is the framebuffer the driver reports (nvidia-smi "FB Memory Usage / Total"). Where a
// real capture exists (fixtures/real/nvidia-smi: gpud testdata, thamada captures, telegraf XML) the
// figure is copied from it; otherwise it is the vendor's nominal size. null means the device ID is
// shared by variants with different memory, and the caller falls back to the largest BAR.

export type GpuFormFactor = "SXM" | "PCIe" | "NVL" | "superchip";

export interface GpuModel {
  deviceId: string;
  /** Marketing name as nvidia-smi prints it, without the "NVIDIA " prefix. */
  name: string;
  architecture: "Pascal" | "Volta" | "Turing" | "Ampere" | "Ada Lovelace" | "Hopper" | "Blackwell";
  formFactor: GpuFormFactor;
  memoryMiB: number | null;
  /** Where memoryMiB comes from: a real nvidia-smi capture or the published size. */
  memorySource: "capture" | "nominal" | null;
}

const GIB = 1024;

const MODELS: GpuModel[] = [
  // Pascal
  { deviceId: "15f7", name: "Tesla P100-PCIE-12GB", architecture: "Pascal", formFactor: "PCIe", memoryMiB: 12 * GIB, memorySource: "nominal" },
  { deviceId: "15f8", name: "Tesla P100-PCIE-16GB", architecture: "Pascal", formFactor: "PCIe", memoryMiB: 16 * GIB, memorySource: "nominal" },
  { deviceId: "15f9", name: "Tesla P100-SXM2-16GB", architecture: "Pascal", formFactor: "SXM", memoryMiB: 16 * GIB, memorySource: "nominal" },
  // Volta
  { deviceId: "1db1", name: "Tesla V100-SXM2-16GB", architecture: "Volta", formFactor: "SXM", memoryMiB: 16 * GIB, memorySource: "nominal" },
  { deviceId: "1db4", name: "Tesla V100-PCIE-16GB", architecture: "Volta", formFactor: "PCIe", memoryMiB: 16 * GIB, memorySource: "nominal" },
  { deviceId: "1db5", name: "Tesla V100-SXM2-32GB", architecture: "Volta", formFactor: "SXM", memoryMiB: 32 * GIB, memorySource: "nominal" },
  { deviceId: "1db6", name: "Tesla V100-PCIE-32GB", architecture: "Volta", formFactor: "PCIe", memoryMiB: 32 * GIB, memorySource: "nominal" },
  { deviceId: "1db8", name: "Tesla V100-SXM3-32GB", architecture: "Volta", formFactor: "SXM", memoryMiB: 32 * GIB, memorySource: "nominal" },
  { deviceId: "1df6", name: "Tesla V100S-PCIE-32GB", architecture: "Volta", formFactor: "PCIe", memoryMiB: 32 * GIB, memorySource: "nominal" },
  { deviceId: "1d81", name: "TITAN V", architecture: "Volta", formFactor: "PCIe", memoryMiB: 12288, memorySource: "capture" },
  // Turing
  { deviceId: "1eb8", name: "Tesla T4", architecture: "Turing", formFactor: "PCIe", memoryMiB: 15360, memorySource: "capture" },
  // Ampere
  { deviceId: "20b0", name: "A100-SXM4-40GB", architecture: "Ampere", formFactor: "SXM", memoryMiB: 40 * GIB, memorySource: "nominal" },
  { deviceId: "20b1", name: "A100-PCIE-40GB", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 40 * GIB, memorySource: "nominal" },
  { deviceId: "20b2", name: "A100-SXM4-80GB", architecture: "Ampere", formFactor: "SXM", memoryMiB: 81920, memorySource: "capture" },
  { deviceId: "20b5", name: "A100 80GB PCIe", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 81920, memorySource: "nominal" },
  { deviceId: "20f1", name: "A100-PCIE-40GB", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 40 * GIB, memorySource: "nominal" },
  { deviceId: "20b7", name: "A30", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 24 * GIB, memorySource: "nominal" },
  { deviceId: "2235", name: "A40", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 46068, memorySource: "capture" },
  { deviceId: "2236", name: "A10", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 23028, memorySource: "capture" },
  { deviceId: "2237", name: "A10G", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 23028, memorySource: "capture" },
  { deviceId: "2230", name: "RTX A6000", architecture: "Ampere", formFactor: "PCIe", memoryMiB: 49140, memorySource: "nominal" },
  // Ada Lovelace
  { deviceId: "27b8", name: "L4", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 23034, memorySource: "capture" },
  { deviceId: "26b5", name: "L40", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 46068, memorySource: "nominal" },
  { deviceId: "26b9", name: "L40S", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 46068, memorySource: "capture" },
  { deviceId: "26b1", name: "RTX 6000 Ada Generation", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 49140, memorySource: "capture" },
  { deviceId: "27b2", name: "RTX 4000 Ada Generation", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 20475, memorySource: "capture" },
  { deviceId: "27b0", name: "RTX 4000 SFF Ada Generation", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 20475, memorySource: "capture" },
  { deviceId: "28b0", name: "RTX 2000 Ada Generation", architecture: "Ada Lovelace", formFactor: "PCIe", memoryMiB: 16380, memorySource: "capture" },
  // Hopper
  { deviceId: "2330", name: "H100 80GB HBM3", architecture: "Hopper", formFactor: "SXM", memoryMiB: 81559, memorySource: "capture" },
  { deviceId: "2331", name: "H100 PCIe", architecture: "Hopper", formFactor: "PCIe", memoryMiB: 81559, memorySource: "nominal" },
  { deviceId: "2321", name: "H100 NVL", architecture: "Hopper", formFactor: "NVL", memoryMiB: 95830, memorySource: "capture" },
  { deviceId: "2335", name: "H200", architecture: "Hopper", formFactor: "SXM", memoryMiB: 143771, memorySource: "nominal" },
  { deviceId: "233b", name: "H200 NVL", architecture: "Hopper", formFactor: "NVL", memoryMiB: 143771, memorySource: "nominal" },
  { deviceId: "2342", name: "GH200", architecture: "Hopper", formFactor: "superchip", memoryMiB: null, memorySource: null },
  // Blackwell
  { deviceId: "2901", name: "B200", architecture: "Blackwell", formFactor: "SXM", memoryMiB: 183359, memorySource: "nominal" },
  { deviceId: "2941", name: "GB200", architecture: "Blackwell", formFactor: "superchip", memoryMiB: null, memorySource: null },
];

const BY_ID = new Map(MODELS.map((m) => [m.deviceId, m]));

/** The model for an NVIDIA device ID (4 hex digits, any case), or null when it is not in the table. */
export function lookupGpuModel(deviceId: string | null): GpuModel | null {
  if (deviceId === null) return null;
  return BY_ID.get(deviceId.toLowerCase()) ?? null;
}

/** Every known model, in table order. */
export function listGpuModels(): readonly GpuModel[] {
  return MODELS;
}

/**
 * GPU memory in bytes: the table's figure when the model and its memory are known, otherwise the
 * largest BAR (the framebuffer aperture, which is at least as large as the memory on data-centre
 * parts but can be a 256 MiB window on others), otherwise null.
 */
export function gpuMemoryBytes(model: GpuModel | null, largestBarBytes: number | null): number | null {
  if (model?.memoryMiB != null) return model.memoryMiB * 1024 * 1024;
  return largestBarBytes;
}
