// Original file: server/proto/agent.proto


export interface DestroyKernelRequest {
  'kernelId'?: (string);
  'reason'?: (string);
}

export interface DestroyKernelRequest__Output {
  'kernelId': (string);
  'reason': (string);
}
