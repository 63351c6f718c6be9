// Original file: server/proto/containerd/services/introspection/v1/introspection.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../../../google/protobuf/Any';

export interface PluginInfoRequest {
  'type'?: (string);
  'id'?: (string);
  'options'?: (_google_protobuf_Any | null);
}

export interface PluginInfoRequest__Output {
  'type': (string);
  'id': (string);
  'options': (_google_protobuf_Any__Output | null);
}
