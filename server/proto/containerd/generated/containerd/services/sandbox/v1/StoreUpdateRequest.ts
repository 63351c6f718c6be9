// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Sandbox as _containerd_types_Sandbox, Sandbox__Output as _containerd_types_Sandbox__Output } from '../../../../containerd/types/Sandbox';

export interface StoreUpdateRequest {
  'sandbox'?: (_containerd_types_Sandbox | null);
  'fields'?: (string)[];
}

export interface StoreUpdateRequest__Output {
  'sandbox': (_containerd_types_Sandbox__Output | null);
  'fields': (string)[];
}
