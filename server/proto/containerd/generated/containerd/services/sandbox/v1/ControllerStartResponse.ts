// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../../google/protobuf/Timestamp';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../../../google/protobuf/Any';

export interface ControllerStartResponse {
  'sandboxId'?: (string);
  'pid'?: (number);
  'createdAt'?: (_google_protobuf_Timestamp | null);
  'labels'?: ({[key: string]: string});
  'address'?: (string);
  'version'?: (number);
  'spec'?: (_google_protobuf_Any | null);
}

export interface ControllerStartResponse__Output {
  'sandboxId': (string);
  'pid': (number);
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  'labels': ({[key: string]: string});
  'address': (string);
  'version': (number);
  'spec': (_google_protobuf_Any__Output | null);
}
