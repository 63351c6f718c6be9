// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerShutdownResponse {
}

export interface ControllerShutdownResponse__Output {
}
