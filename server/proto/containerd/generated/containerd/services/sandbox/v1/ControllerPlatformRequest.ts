// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerPlatformRequest {
  'sandboxId'?: (string);
  'sandboxer'?: (string);
}

export interface ControllerPlatformRequest__Output {
  'sandboxId': (string);
  'sandboxer': (string);
}
