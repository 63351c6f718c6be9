// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface StoreDeleteResponse {
}

export interface StoreDeleteResponse__Output {
}
