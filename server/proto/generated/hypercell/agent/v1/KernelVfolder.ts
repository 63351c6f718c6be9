// Original file: server/proto/agent.proto


export interface KernelVfolder {
  'name'?: (string);
  'hostPath'?: (string);
  'mountPath'?: (string);
  'readOnly'?: (boolean);
}

export interface KernelVfolder__Output {
  'name': (string);
  'hostPath': (string);
  'mountPath': (string);
  'readOnly': (boolean);
}
