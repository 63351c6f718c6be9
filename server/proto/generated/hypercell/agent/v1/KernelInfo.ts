// Original file: server/proto/agent.proto


export interface KernelInfo {
  'kernelId'?: (string);
  'sessionId'?: (string);
  'containerId'?: (string);
  'status'?: (string);
  'gpuAddresses'?: (string)[];
}

export interface KernelInfo__Output {
  'kernelId': (string);
  'sessionId': (string);
  'containerId': (string);
  'status': (string);
  'gpuAddresses': (string)[];
}
