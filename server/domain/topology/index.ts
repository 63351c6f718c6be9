// Topology rules with no I/O: what a host's PCI bus means for GPU passthrough.
export * from "./gpu-models";
export * from "./inventory";
export * from "./iommu-groups";
export * from "./locality";
export * from "./passthrough";
export * from "./pci-address";
export * from "./pci-class";
export type * from "./types";
