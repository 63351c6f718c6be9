// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerWaitRequest {
  'sandboxId'?: (string);
  'sandboxer'?: (string);
}

export interface ControllerWaitRequest__Output {
  'sandboxId': (string);
  'sandboxer': (string);
}
