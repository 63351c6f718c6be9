// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface ControllerUpdateResponse {
}

export interface ControllerUpdateResponse__Output {
}
