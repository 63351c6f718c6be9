// Original file: server/proto/agent.proto

import type { Inventory as _hypercell_agent_v1_Inventory, Inventory__Output as _hypercell_agent_v1_Inventory__Output } from '../../../hypercell/agent/v1/Inventory';
import type { PreflightReport as _hypercell_agent_v1_PreflightReport, PreflightReport__Output as _hypercell_agent_v1_PreflightReport__Output } from '../../../hypercell/agent/v1/PreflightReport';
import type { KernelEvent as _hypercell_agent_v1_KernelEvent, KernelEvent__Output as _hypercell_agent_v1_KernelEvent__Output } from '../../../hypercell/agent/v1/KernelEvent';
import type { MetricsBatch as _hypercell_agent_v1_MetricsBatch, MetricsBatch__Output as _hypercell_agent_v1_MetricsBatch__Output } from '../../../hypercell/agent/v1/MetricsBatch';
import type { Long } from '@grpc/proto-loader';

export interface AgentEvent {
  'atMs'?: (number | string | Long);
  'inventoryChanged'?: (_hypercell_agent_v1_Inventory | null);
  'preflight'?: (_hypercell_agent_v1_PreflightReport | null);
  'log'?: (string);
  'kernel'?: (_hypercell_agent_v1_KernelEvent | null);
  'metrics'?: (_hypercell_agent_v1_MetricsBatch | null);
  'event'?: "inventoryChanged"|"preflight"|"log"|"kernel"|"metrics";
}

export interface AgentEvent__Output {
  'atMs': (number);
  'inventoryChanged'?: (_hypercell_agent_v1_Inventory__Output | null);
  'preflight'?: (_hypercell_agent_v1_PreflightReport__Output | null);
  'log'?: (string);
  'kernel'?: (_hypercell_agent_v1_KernelEvent__Output | null);
  'metrics'?: (_hypercell_agent_v1_MetricsBatch__Output | null);
  'event'?: "inventoryChanged"|"preflight"|"log"|"kernel"|"metrics";
}
