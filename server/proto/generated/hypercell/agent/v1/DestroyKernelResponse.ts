// Original file: server/proto/agent.proto


export interface DestroyKernelResponse {
  'existed'?: (boolean);
}

export interface DestroyKernelResponse__Output {
  'existed': (boolean);
}
