// Original file: server/proto/agent.proto


export interface KernelMember {
  'hostname'?: (string);
  'address'?: (string);
}

export interface KernelMember__Output {
  'hostname': (string);
  'address': (string);
}
