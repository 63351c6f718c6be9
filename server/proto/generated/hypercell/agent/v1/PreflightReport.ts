// Original file: server/proto/agent.proto

import type { PreflightCheck as _hypercell_agent_v1_PreflightCheck, PreflightCheck__Output as _hypercell_agent_v1_PreflightCheck__Output } from '../../../hypercell/agent/v1/PreflightCheck';
import type { Long } from '@grpc/proto-loader';

export interface PreflightReport {
  'checks'?: (_hypercell_agent_v1_PreflightCheck)[];
  'checkedAtMs'?: (number | string | Long);
}

export interface PreflightReport__Output {
  'checks': (_hypercell_agent_v1_PreflightCheck__Output)[];
  'checkedAtMs': (number);
}
