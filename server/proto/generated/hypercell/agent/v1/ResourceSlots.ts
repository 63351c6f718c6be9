// Original file: server/proto/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface ResourceSlots {
  'cpu'?: (number | string);
  'mem'?: (number | string | Long);
  'cudaDevice'?: (number);
}

export interface ResourceSlots__Output {
  'cpu': (number);
  'mem': (number);
  'cudaDevice': (number);
}
