// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Platform as _containerd_types_Platform, Platform__Output as _containerd_types_Platform__Output } from '../../../../containerd/types/Platform';

export interface ControllerPlatformResponse {
  'platform'?: (_containerd_types_Platform | null);
}

export interface ControllerPlatformResponse__Output {
  'platform': (_containerd_types_Platform__Output | null);
}
