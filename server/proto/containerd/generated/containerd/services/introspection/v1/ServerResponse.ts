// Original file: server/proto/containerd/services/introspection/v1/introspection.proto

import type { DeprecationWarning as _containerd_services_introspection_v1_DeprecationWarning, DeprecationWarning__Output as _containerd_services_introspection_v1_DeprecationWarning__Output } from '../../../../containerd/services/introspection/v1/DeprecationWarning';
import type { Long } from '@grpc/proto-loader';

export interface ServerResponse {
  'uuid'?: (string);
  'pid'?: (number | string | Long);
  'pidns'?: (number | string | Long);
  'deprecations'?: (_containerd_services_introspection_v1_DeprecationWarning)[];
}

export interface ServerResponse__Output {
  'uuid': (string);
  'pid': (number);
  'pidns': (number);
  'deprecations': (_containerd_services_introspection_v1_DeprecationWarning__Output)[];
}
