// Original file: server/proto/agent.proto

import type { MetricSample as _hypercell_agent_v1_MetricSample, MetricSample__Output as _hypercell_agent_v1_MetricSample__Output } from '../../../hypercell/agent/v1/MetricSample';
import type { Long } from '@grpc/proto-loader';

export interface MetricsBatch {
  'kernelId'?: (string);
  'sessionId'?: (string);
  'scrapedAtMs'?: (number | string | Long);
  'samples'?: (_hypercell_agent_v1_MetricSample)[];
  'error'?: (string);
  'malformed'?: (string)[];
}

export interface MetricsBatch__Output {
  'kernelId': (string);
  'sessionId': (string);
  'scrapedAtMs': (number);
  'samples': (_hypercell_agent_v1_MetricSample__Output)[];
  'error': (string);
  'malformed': (string)[];
}
