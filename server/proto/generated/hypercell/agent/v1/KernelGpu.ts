// Original file: server/proto/agent.proto


export interface KernelGpu {
  'address'?: (string);
  'iommuGroup'?: (number);
}

export interface KernelGpu__Output {
  'address': (string);
  'iommuGroup': (number);
}
