// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerStopResponse {
}

export interface ControllerStopResponse__Output {
}
