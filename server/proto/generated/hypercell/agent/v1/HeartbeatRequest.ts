// Original file: server/proto/agent.proto

import type { ResourceSlots as _hypercell_agent_v1_ResourceSlots, ResourceSlots__Output as _hypercell_agent_v1_ResourceSlots__Output } from '../../../hypercell/agent/v1/ResourceSlots';

export interface HeartbeatRequest {
  'joinToken'?: (string);
  'agentId'?: (string);
  'inventoryDigest'?: (string);
  'available'?: (_hypercell_agent_v1_ResourceSlots | null);
  'status'?: (string);
}

export interface HeartbeatRequest__Output {
  'joinToken': (string);
  'agentId': (string);
  'inventoryDigest': (string);
  'available': (_hypercell_agent_v1_ResourceSlots__Output | null);
  'status': (string);
}
