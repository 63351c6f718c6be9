// Original file: server/proto/agent.proto

import type { ResourceSlots as _hypercell_agent_v1_ResourceSlots, ResourceSlots__Output as _hypercell_agent_v1_ResourceSlots__Output } from '../../../hypercell/agent/v1/ResourceSlots';

export interface HostFacts {
  'agentId'?: (string);
  'backend'?: (string);
  'resourceGroup'?: (string);
  'address'?: (string);
  'version'?: (string);
  'hypervisor'?: (string);
  'confidentialCapability'?: (string);
  'architecture'?: (string);
  'available'?: (_hypercell_agent_v1_ResourceSlots | null);
  'simulated'?: (boolean);
  'vmOverheadMb'?: (number);
  'maxGpusPerVm'?: (number);
  'storageMountpoints'?: (string)[];
}

export interface HostFacts__Output {
  'agentId': (string);
  'backend': (string);
  'resourceGroup': (string);
  'address': (string);
  'version': (string);
  'hypervisor': (string);
  'confidentialCapability': (string);
  'architecture': (string);
  'available': (_hypercell_agent_v1_ResourceSlots__Output | null);
  'simulated': (boolean);
  'vmOverheadMb': (number);
  'maxGpusPerVm': (number);
  'storageMountpoints': (string)[];
}
