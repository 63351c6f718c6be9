// Original file: server/proto/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface MetricSample {
  'name'?: (string);
  'value'?: (number | string);
  'labels'?: ({[key: string]: string});
  'timestampMs'?: (number | string | Long);
}

export interface MetricSample__Output {
  'name': (string);
  'value': (number);
  'labels': ({[key: string]: string});
  'timestampMs': (number);
}
