// Original file: server/proto/containerd/types/sandbox.proto

import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../google/protobuf/Any';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../google/protobuf/Timestamp';

export interface _containerd_types_Sandbox_Runtime {
  'name'?: (string);
  'options'?: (_google_protobuf_Any | null);
}

export interface _containerd_types_Sandbox_Runtime__Output {
  'name': (string);
  'options': (_google_protobuf_Any__Output | null);
}

export interface Sandbox {
  'sandboxId'?: (string);
  'runtime'?: (_containerd_types_Sandbox_Runtime | null);
  'spec'?: (_google_protobuf_Any | null);
  'labels'?: ({[key: string]: string});
  'createdAt'?: (_google_protobuf_Timestamp | null);
  'updatedAt'?: (_google_protobuf_Timestamp | null);
  'extensions'?: ({[key: string]: _google_protobuf_Any});
  'sandboxer'?: (string);
}

export interface Sandbox__Output {
  'sandboxId': (string);
  'runtime': (_containerd_types_Sandbox_Runtime__Output | null);
  'spec': (_google_protobuf_Any__Output | null);
  'labels': ({[key: string]: string});
  'createdAt': (_google_protobuf_Timestamp__Output | null);
  'updatedAt': (_google_protobuf_Timestamp__Output | null);
  'extensions': ({[key: string]: _google_protobuf_Any__Output});
  'sandboxer': (string);
}
