// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerMetricsRequest {
  'sandboxId'?: (string);
  'sandboxer'?: (string);
}

export interface ControllerMetricsRequest__Output {
  'sandboxId': (string);
  'sandboxer': (string);
}
