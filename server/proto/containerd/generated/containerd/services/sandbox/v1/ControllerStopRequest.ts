// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerStopRequest {
  'sandboxId'?: (string);
  'timeoutSecs'?: (number);
  'sandboxer'?: (string);
}

export interface ControllerStopRequest__Output {
  'sandboxId': (string);
  'timeoutSecs': (number);
  'sandboxer': (string);
}
