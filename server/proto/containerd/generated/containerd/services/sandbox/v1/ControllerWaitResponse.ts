// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../../google/protobuf/Timestamp';

export interface ControllerWaitResponse {
  'exitStatus'?: (number);
  'exitedAt'?: (_google_protobuf_Timestamp | null);
}

export interface ControllerWaitResponse__Output {
  'exitStatus': (number);
  'exitedAt': (_google_protobuf_Timestamp__Output | null);
}
