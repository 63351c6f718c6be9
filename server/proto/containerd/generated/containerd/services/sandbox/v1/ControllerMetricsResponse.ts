// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type { Metric as _containerd_types_Metric, Metric__Output as _containerd_types_Metric__Output } from '../../../../containerd/types/Metric';

export interface ControllerMetricsResponse {
  'metrics'?: (_containerd_types_Metric | null);
}

export interface ControllerMetricsResponse__Output {
  'metrics': (_containerd_types_Metric__Output | null);
}
