// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerShutdownRequest {
  'sandboxId'?: (string);
  'sandboxer'?: (string);
}

export interface ControllerShutdownRequest__Output {
  'sandboxId': (string);
  'sandboxer': (string);
}
