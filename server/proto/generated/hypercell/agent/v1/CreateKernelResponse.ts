// Original file: server/proto/agent.proto


export interface CreateKernelResponse {
  'containerId'?: (string);
  'warnings'?: (string)[];
}

export interface CreateKernelResponse__Output {
  'containerId': (string);
  'warnings': (string)[];
}
