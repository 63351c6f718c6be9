// Original file: server/proto/containerd/services/images/v1/images.proto

import type { Descriptor as _containerd_types_Descriptor, Descriptor__Output as _containerd_types_Descriptor__Output } from '../../../../containerd/types/Descriptor';

export interface DeleteImageRequest {
  'name'?: (string);
  'sync'?: (boolean);
  'target'?: (_containerd_types_Descriptor | null);
  '_target'?: "target";
}

export interface DeleteImageRequest__Output {
  'name': (string);
  'sync': (boolean);
  'target'?: (_containerd_types_Descriptor__Output | null);
  '_target'?: "target";
}
