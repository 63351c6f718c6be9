// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Mount as _containerd_types_Mount, Mount__Output as _containerd_types_Mount__Output } from '../../../../containerd/types/Mount';
import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../../../google/protobuf/Any';
import type { Sandbox as _containerd_types_Sandbox, Sandbox__Output as _containerd_types_Sandbox__Output } from '../../../../containerd/types/Sandbox';

export interface ControllerCreateRequest {
  'sandboxId'?: (string);
  'rootfs'?: (_containerd_types_Mount)[];
  'options'?: (_google_protobuf_Any | null);
  'netnsPath'?: (string);
  'annotations'?: ({[key: string]: string});
  'sandbox'?: (_containerd_types_Sandbox | null);
  'sandboxer'?: (string);
}

export interface ControllerCreateRequest__Output {
  'sandboxId': (string);
  'rootfs': (_containerd_types_Mount__Output)[];
  'options': (_google_protobuf_Any__Output | null);
  'netnsPath': (string);
  'annotations': ({[key: string]: string});
  'sandbox': (_containerd_types_Sandbox__Output | null);
  'sandboxer': (string);
}
