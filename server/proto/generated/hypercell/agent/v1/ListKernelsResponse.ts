// Original file: server/proto/agent.proto

import type { KernelInfo as _hypercell_agent_v1_KernelInfo, KernelInfo__Output as _hypercell_agent_v1_KernelInfo__Output } from '../../../hypercell/agent/v1/KernelInfo';

export interface ListKernelsResponse {
  'kernels'?: (_hypercell_agent_v1_KernelInfo)[];
}

export interface ListKernelsResponse__Output {
  'kernels': (_hypercell_agent_v1_KernelInfo__Output)[];
}
