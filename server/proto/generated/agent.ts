import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentClient as _hypercell_agent_v1_AgentClient, AgentDefinition as _hypercell_agent_v1_AgentDefinition } from './hypercell/agent/v1/Agent';
import type { AgentEvent as _hypercell_agent_v1_AgentEvent, AgentEvent__Output as _hypercell_agent_v1_AgentEvent__Output } from './hypercell/agent/v1/AgentEvent';
import type { AgentRegistryClient as _hypercell_agent_v1_AgentRegistryClient, AgentRegistryDefinition as _hypercell_agent_v1_AgentRegistryDefinition } from './hypercell/agent/v1/AgentRegistry';
import type { BindReport as _hypercell_agent_v1_BindReport, BindReport__Output as _hypercell_agent_v1_BindReport__Output } from './hypercell/agent/v1/BindReport';
import type { BindRequest as _hypercell_agent_v1_BindRequest, BindRequest__Output as _hypercell_agent_v1_BindRequest__Output } from './hypercell/agent/v1/BindRequest';
import type { BindStep as _hypercell_agent_v1_BindStep, BindStep__Output as _hypercell_agent_v1_BindStep__Output } from './hypercell/agent/v1/BindStep';
import type { CreateKernelRequest as _hypercell_agent_v1_CreateKernelRequest, CreateKernelRequest__Output as _hypercell_agent_v1_CreateKernelRequest__Output } from './hypercell/agent/v1/CreateKernelRequest';
import type { CreateKernelResponse as _hypercell_agent_v1_CreateKernelResponse, CreateKernelResponse__Output as _hypercell_agent_v1_CreateKernelResponse__Output } from './hypercell/agent/v1/CreateKernelResponse';
import type { DestroyKernelRequest as _hypercell_agent_v1_DestroyKernelRequest, DestroyKernelRequest__Output as _hypercell_agent_v1_DestroyKernelRequest__Output } from './hypercell/agent/v1/DestroyKernelRequest';
import type { DestroyKernelResponse as _hypercell_agent_v1_DestroyKernelResponse, DestroyKernelResponse__Output as _hypercell_agent_v1_DestroyKernelResponse__Output } from './hypercell/agent/v1/DestroyKernelResponse';
import type { Empty as _hypercell_agent_v1_Empty, Empty__Output as _hypercell_agent_v1_Empty__Output } from './hypercell/agent/v1/Empty';
import type { Gpu as _hypercell_agent_v1_Gpu, Gpu__Output as _hypercell_agent_v1_Gpu__Output } from './hypercell/agent/v1/Gpu';
import type { HeartbeatRequest as _hypercell_agent_v1_HeartbeatRequest, HeartbeatRequest__Output as _hypercell_agent_v1_HeartbeatRequest__Output } from './hypercell/agent/v1/HeartbeatRequest';
import type { HeartbeatResponse as _hypercell_agent_v1_HeartbeatResponse, HeartbeatResponse__Output as _hypercell_agent_v1_HeartbeatResponse__Output } from './hypercell/agent/v1/HeartbeatResponse';
import type { HostFacts as _hypercell_agent_v1_HostFacts, HostFacts__Output as _hypercell_agent_v1_HostFacts__Output } from './hypercell/agent/v1/HostFacts';
import type { Inventory as _hypercell_agent_v1_Inventory, Inventory__Output as _hypercell_agent_v1_Inventory__Output } from './hypercell/agent/v1/Inventory';
import type { IommuGroup as _hypercell_agent_v1_IommuGroup, IommuGroup__Output as _hypercell_agent_v1_IommuGroup__Output } from './hypercell/agent/v1/IommuGroup';
import type { JoinRequest as _hypercell_agent_v1_JoinRequest, JoinRequest__Output as _hypercell_agent_v1_JoinRequest__Output } from './hypercell/agent/v1/JoinRequest';
import type { JoinResponse as _hypercell_agent_v1_JoinResponse, JoinResponse__Output as _hypercell_agent_v1_JoinResponse__Output } from './hypercell/agent/v1/JoinResponse';
import type { KernelEvent as _hypercell_agent_v1_KernelEvent, KernelEvent__Output as _hypercell_agent_v1_KernelEvent__Output } from './hypercell/agent/v1/KernelEvent';
import type { KernelGpu as _hypercell_agent_v1_KernelGpu, KernelGpu__Output as _hypercell_agent_v1_KernelGpu__Output } from './hypercell/agent/v1/KernelGpu';
import type { KernelInfo as _hypercell_agent_v1_KernelInfo, KernelInfo__Output as _hypercell_agent_v1_KernelInfo__Output } from './hypercell/agent/v1/KernelInfo';
import type { KernelMember as _hypercell_agent_v1_KernelMember, KernelMember__Output as _hypercell_agent_v1_KernelMember__Output } from './hypercell/agent/v1/KernelMember';
import type { KernelVfolder as _hypercell_agent_v1_KernelVfolder, KernelVfolder__Output as _hypercell_agent_v1_KernelVfolder__Output } from './hypercell/agent/v1/KernelVfolder';
import type { ListKernelsResponse as _hypercell_agent_v1_ListKernelsResponse, ListKernelsResponse__Output as _hypercell_agent_v1_ListKernelsResponse__Output } from './hypercell/agent/v1/ListKernelsResponse';
import type { MetricSample as _hypercell_agent_v1_MetricSample, MetricSample__Output as _hypercell_agent_v1_MetricSample__Output } from './hypercell/agent/v1/MetricSample';
import type { MetricsBatch as _hypercell_agent_v1_MetricsBatch, MetricsBatch__Output as _hypercell_agent_v1_MetricsBatch__Output } from './hypercell/agent/v1/MetricsBatch';
import type { PciDevice as _hypercell_agent_v1_PciDevice, PciDevice__Output as _hypercell_agent_v1_PciDevice__Output } from './hypercell/agent/v1/PciDevice';
import type { PciNeighbour as _hypercell_agent_v1_PciNeighbour, PciNeighbour__Output as _hypercell_agent_v1_PciNeighbour__Output } from './hypercell/agent/v1/PciNeighbour';
import type { PreflightCheck as _hypercell_agent_v1_PreflightCheck, PreflightCheck__Output as _hypercell_agent_v1_PreflightCheck__Output } from './hypercell/agent/v1/PreflightCheck';
import type { PreflightReport as _hypercell_agent_v1_PreflightReport, PreflightReport__Output as _hypercell_agent_v1_PreflightReport__Output } from './hypercell/agent/v1/PreflightReport';
import type { ResourceSlots as _hypercell_agent_v1_ResourceSlots, ResourceSlots__Output as _hypercell_agent_v1_ResourceSlots__Output } from './hypercell/agent/v1/ResourceSlots';
import type { WatchRequest as _hypercell_agent_v1_WatchRequest, WatchRequest__Output as _hypercell_agent_v1_WatchRequest__Output } from './hypercell/agent/v1/WatchRequest';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  hypercell: {
    agent: {
      v1: {
        Agent: SubtypeConstructor<typeof grpc.Client, _hypercell_agent_v1_AgentClient> & { service: _hypercell_agent_v1_AgentDefinition }
        AgentEvent: MessageTypeDefinition<_hypercell_agent_v1_AgentEvent, _hypercell_agent_v1_AgentEvent__Output>
        AgentRegistry: SubtypeConstructor<typeof grpc.Client, _hypercell_agent_v1_AgentRegistryClient> & { service: _hypercell_agent_v1_AgentRegistryDefinition }
        BindReport: MessageTypeDefinition<_hypercell_agent_v1_BindReport, _hypercell_agent_v1_BindReport__Output>
        BindRequest: MessageTypeDefinition<_hypercell_agent_v1_BindRequest, _hypercell_agent_v1_BindRequest__Output>
        BindStep: MessageTypeDefinition<_hypercell_agent_v1_BindStep, _hypercell_agent_v1_BindStep__Output>
        CreateKernelRequest: MessageTypeDefinition<_hypercell_agent_v1_CreateKernelRequest, _hypercell_agent_v1_CreateKernelRequest__Output>
        CreateKernelResponse: MessageTypeDefinition<_hypercell_agent_v1_CreateKernelResponse, _hypercell_agent_v1_CreateKernelResponse__Output>
        DestroyKernelRequest: MessageTypeDefinition<_hypercell_agent_v1_DestroyKernelRequest, _hypercell_agent_v1_DestroyKernelRequest__Output>
        DestroyKernelResponse: MessageTypeDefinition<_hypercell_agent_v1_DestroyKernelResponse, _hypercell_agent_v1_DestroyKernelResponse__Output>
        Empty: MessageTypeDefinition<_hypercell_agent_v1_Empty, _hypercell_agent_v1_Empty__Output>
        Gpu: MessageTypeDefinition<_hypercell_agent_v1_Gpu, _hypercell_agent_v1_Gpu__Output>
        HeartbeatRequest: MessageTypeDefinition<_hypercell_agent_v1_HeartbeatRequest, _hypercell_agent_v1_HeartbeatRequest__Output>
        HeartbeatResponse: MessageTypeDefinition<_hypercell_agent_v1_HeartbeatResponse, _hypercell_agent_v1_HeartbeatResponse__Output>
        HostFacts: MessageTypeDefinition<_hypercell_agent_v1_HostFacts, _hypercell_agent_v1_HostFacts__Output>
        Inventory: MessageTypeDefinition<_hypercell_agent_v1_Inventory, _hypercell_agent_v1_Inventory__Output>
        IommuGroup: MessageTypeDefinition<_hypercell_agent_v1_IommuGroup, _hypercell_agent_v1_IommuGroup__Output>
        JoinRequest: MessageTypeDefinition<_hypercell_agent_v1_JoinRequest, _hypercell_agent_v1_JoinRequest__Output>
        JoinResponse: MessageTypeDefinition<_hypercell_agent_v1_JoinResponse, _hypercell_agent_v1_JoinResponse__Output>
        KernelEvent: MessageTypeDefinition<_hypercell_agent_v1_KernelEvent, _hypercell_agent_v1_KernelEvent__Output>
        KernelGpu: MessageTypeDefinition<_hypercell_agent_v1_KernelGpu, _hypercell_agent_v1_KernelGpu__Output>
        KernelInfo: MessageTypeDefinition<_hypercell_agent_v1_KernelInfo, _hypercell_agent_v1_KernelInfo__Output>
        KernelMember: MessageTypeDefinition<_hypercell_agent_v1_KernelMember, _hypercell_agent_v1_KernelMember__Output>
        KernelVfolder: MessageTypeDefinition<_hypercell_agent_v1_KernelVfolder, _hypercell_agent_v1_KernelVfolder__Output>
        ListKernelsResponse: MessageTypeDefinition<_hypercell_agent_v1_ListKernelsResponse, _hypercell_agent_v1_ListKernelsResponse__Output>
        MetricSample: MessageTypeDefinition<_hypercell_agent_v1_MetricSample, _hypercell_agent_v1_MetricSample__Output>
        MetricsBatch: MessageTypeDefinition<_hypercell_agent_v1_MetricsBatch, _hypercell_agent_v1_MetricsBatch__Output>
        PciDevice: MessageTypeDefinition<_hypercell_agent_v1_PciDevice, _hypercell_agent_v1_PciDevice__Output>
        PciNeighbour: MessageTypeDefinition<_hypercell_agent_v1_PciNeighbour, _hypercell_agent_v1_PciNeighbour__Output>
        PreflightCheck: MessageTypeDefinition<_hypercell_agent_v1_PreflightCheck, _hypercell_agent_v1_PreflightCheck__Output>
        PreflightReport: MessageTypeDefinition<_hypercell_agent_v1_PreflightReport, _hypercell_agent_v1_PreflightReport__Output>
        ResourceSlots: MessageTypeDefinition<_hypercell_agent_v1_ResourceSlots, _hypercell_agent_v1_ResourceSlots__Output>
        WatchRequest: MessageTypeDefinition<_hypercell_agent_v1_WatchRequest, _hypercell_agent_v1_WatchRequest__Output>
      }
    }
  }
}

