// Original file: server/proto/agent.proto

import type { PciNeighbour as _hypercell_agent_v1_PciNeighbour, PciNeighbour__Output as _hypercell_agent_v1_PciNeighbour__Output } from '../../../hypercell/agent/v1/PciNeighbour';
import type { Long } from '@grpc/proto-loader';

export interface Gpu {
  'address'?: (string);
  'deviceId'?: (string);
  'model'?: (string);
  'memoryBytes'?: (number | string | Long);
  'memorySource'?: (string);
  'numaNode'?: (number);
  'iommuGroup'?: (number);
  'driver'?: (string);
  'passthrough'?: (string);
  'reasons'?: (string)[];
  'nics'?: (_hypercell_agent_v1_PciNeighbour)[];
  'nvswitches'?: (_hypercell_agent_v1_PciNeighbour)[];
  'rootPort'?: (string);
  'pcieSwitch'?: (string);
  '_deviceId'?: "deviceId";
  '_model'?: "model";
  '_memoryBytes'?: "memoryBytes";
  '_memorySource'?: "memorySource";
  '_numaNode'?: "numaNode";
  '_iommuGroup'?: "iommuGroup";
  '_driver'?: "driver";
  '_rootPort'?: "rootPort";
  '_pcieSwitch'?: "pcieSwitch";
}

export interface Gpu__Output {
  'address': (string);
  'deviceId'?: (string);
  'model'?: (string);
  'memoryBytes'?: (number);
  'memorySource'?: (string);
  'numaNode'?: (number);
  'iommuGroup'?: (number);
  'driver'?: (string);
  'passthrough': (string);
  'reasons': (string)[];
  'nics': (_hypercell_agent_v1_PciNeighbour__Output)[];
  'nvswitches': (_hypercell_agent_v1_PciNeighbour__Output)[];
  'rootPort'?: (string);
  'pcieSwitch'?: (string);
  '_deviceId'?: "deviceId";
  '_model'?: "model";
  '_memoryBytes'?: "memoryBytes";
  '_memorySource'?: "memorySource";
  '_numaNode'?: "numaNode";
  '_iommuGroup'?: "iommuGroup";
  '_driver'?: "driver";
  '_rootPort'?: "rootPort";
  '_pcieSwitch'?: "pcieSwitch";
}
