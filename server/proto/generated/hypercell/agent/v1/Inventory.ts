// Original file: server/proto/agent.proto

import type { PciDevice as _hypercell_agent_v1_PciDevice, PciDevice__Output as _hypercell_agent_v1_PciDevice__Output } from '../../../hypercell/agent/v1/PciDevice';
import type { Gpu as _hypercell_agent_v1_Gpu, Gpu__Output as _hypercell_agent_v1_Gpu__Output } from '../../../hypercell/agent/v1/Gpu';
import type { IommuGroup as _hypercell_agent_v1_IommuGroup, IommuGroup__Output as _hypercell_agent_v1_IommuGroup__Output } from '../../../hypercell/agent/v1/IommuGroup';

export interface Inventory {
  'formatVersion'?: (number);
  'iommuEnabled'?: (boolean);
  'iommuUnits'?: (string)[];
  'devices'?: (_hypercell_agent_v1_PciDevice)[];
  'gpus'?: (_hypercell_agent_v1_Gpu)[];
  'iommuGroups'?: (_hypercell_agent_v1_IommuGroup)[];
  'nvswitches'?: (string)[];
  'warnings'?: (string)[];
  'digest'?: (string);
}

export interface Inventory__Output {
  'formatVersion': (number);
  'iommuEnabled': (boolean);
  'iommuUnits': (string)[];
  'devices': (_hypercell_agent_v1_PciDevice__Output)[];
  'gpus': (_hypercell_agent_v1_Gpu__Output)[];
  'iommuGroups': (_hypercell_agent_v1_IommuGroup__Output)[];
  'nvswitches': (string)[];
  'warnings': (string)[];
  'digest': (string);
}
