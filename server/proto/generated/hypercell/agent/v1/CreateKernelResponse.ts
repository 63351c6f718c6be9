// Original file: server/proto/agent.proto


export interface CreateKernelResponse {
  'containerId'?: (string);
  'warnings'?: (string)[];
  'contextJson'?: (string);
}

export interface CreateKernelResponse__Output {
  'containerId': (string);
  'warnings': (string)[];
  'contextJson': (string);
}
