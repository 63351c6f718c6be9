// Original file: server/proto/agent.proto

import type { HostFacts as _hypercell_agent_v1_HostFacts, HostFacts__Output as _hypercell_agent_v1_HostFacts__Output } from '../../../hypercell/agent/v1/HostFacts';

export interface JoinRequest {
  'joinToken'?: (string);
  'facts'?: (_hypercell_agent_v1_HostFacts | null);
  'inventoryDigest'?: (string);
}

export interface JoinRequest__Output {
  'joinToken': (string);
  'facts': (_hypercell_agent_v1_HostFacts__Output | null);
  'inventoryDigest': (string);
}
