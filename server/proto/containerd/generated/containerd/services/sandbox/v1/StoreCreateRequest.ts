// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Sandbox as _containerd_types_Sandbox, Sandbox__Output as _containerd_types_Sandbox__Output } from '../../../../containerd/types/Sandbox';

export interface StoreCreateRequest {
  'sandbox'?: (_containerd_types_Sandbox | null);
}

export interface StoreCreateRequest__Output {
  'sandbox': (_containerd_types_Sandbox__Output | null);
}
