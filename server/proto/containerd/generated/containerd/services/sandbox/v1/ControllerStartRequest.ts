// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerStartRequest {
  'sandboxId'?: (string);
  'sandboxer'?: (string);
}

export interface ControllerStartRequest__Output {
  'sandboxId': (string);
  'sandboxer': (string);
}
