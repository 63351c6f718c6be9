// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerCreateResponse {
  'sandboxId'?: (string);
}

export interface ControllerCreateResponse__Output {
  'sandboxId': (string);
}
