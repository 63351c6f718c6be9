// Original file: server/proto/agent.proto

import type { BindStep as _hypercell_agent_v1_BindStep, BindStep__Output as _hypercell_agent_v1_BindStep__Output } from '../../../hypercell/agent/v1/BindStep';
import type { Inventory as _hypercell_agent_v1_Inventory, Inventory__Output as _hypercell_agent_v1_Inventory__Output } from '../../../hypercell/agent/v1/Inventory';

export interface BindReport {
  'ok'?: (boolean);
  'rolledBack'?: (boolean);
  'message'?: (string);
  'steps'?: (_hypercell_agent_v1_BindStep)[];
  'inventory'?: (_hypercell_agent_v1_Inventory | null);
}

export interface BindReport__Output {
  'ok': (boolean);
  'rolledBack': (boolean);
  'message': (string);
  'steps': (_hypercell_agent_v1_BindStep__Output)[];
  'inventory': (_hypercell_agent_v1_Inventory__Output | null);
}
