// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../../google/protobuf/Timestamp';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../../../google/protobuf/Any';

export interface ControllerStatusResponse {
  'sandboxId'?: (string);
  'pid'?: (number);
  'state'?: (string);
  'info'?: ({[key: string]: string});
  'createdAt'?: (_google_protobuf_Timestamp | null);
  'exitedAt'?: (_google_protobuf_Timestamp | null);
  'extra'?: (_google_protobuf_Any | null);
  'address'?: (string);
  'version'?: (number);
}

export interface ControllerStatusResponse__Output {
  'sandboxId': (string);
  'pid': (number);
  'state': (string);
  'info': ({[key: string]: string});
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  'exitedAt': (_google_protobuf_Timestamp__Output | null);
  'extra': (_google_protobuf_Any__Output | null);
  'address': (string);
  'version': (number);
}
