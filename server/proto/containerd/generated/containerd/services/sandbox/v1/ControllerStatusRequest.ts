// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerStatusRequest {
  'sandboxId'?: (string);
  'verbose'?: (boolean);
  'sandboxer'?: (string);
}

export interface ControllerStatusRequest__Output {
  'sandboxId': (string);
  'verbose': (boolean);
  'sandboxer': (string);
}
