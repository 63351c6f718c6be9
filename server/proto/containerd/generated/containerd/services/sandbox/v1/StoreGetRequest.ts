// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto


export interface StoreGetRequest {
  'sandboxId'?: (string);
}

export interface StoreGetRequest__Output {
  'sandboxId': (string);
}
