// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface StoreDeleteRequest {
  'sandboxId'?: (string);
}

export interface StoreDeleteRequest__Output {
  'sandboxId': (string);
}
