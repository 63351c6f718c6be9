// Original file: server/proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentEvent as _hypercell_agent_v1_AgentEvent, AgentEvent__Output as _hypercell_agent_v1_AgentEvent__Output } from '../../../hypercell/agent/v1/AgentEvent';
import type { BindReport as _hypercell_agent_v1_BindReport, BindReport__Output as _hypercell_agent_v1_BindReport__Output } from '../../../hypercell/agent/v1/BindReport';
import type { BindRequest as _hypercell_agent_v1_BindRequest, BindRequest__Output as _hypercell_agent_v1_BindRequest__Output } from '../../../hypercell/agent/v1/BindRequest';
import type { CreateKernelRequest as _hypercell_agent_v1_CreateKernelRequest, CreateKernelRequest__Output as _hypercell_agent_v1_CreateKernelRequest__Output } from '../../../hypercell/agent/v1/CreateKernelRequest';
import type { CreateKernelResponse as _hypercell_agent_v1_CreateKernelResponse, CreateKernelResponse__Output as _hypercell_agent_v1_CreateKernelResponse__Output } from '../../../hypercell/agent/v1/CreateKernelResponse';
import type { DestroyKernelRequest as _hypercell_agent_v1_DestroyKernelRequest, DestroyKernelRequest__Output as _hypercell_agent_v1_DestroyKernelRequest__Output } from '../../../hypercell/agent/v1/DestroyKernelRequest';
import type { DestroyKernelResponse as _hypercell_agent_v1_DestroyKernelResponse, DestroyKernelResponse__Output as _hypercell_agent_v1_DestroyKernelResponse__Output } from '../../../hypercell/agent/v1/DestroyKernelResponse';
import type { Empty as _hypercell_agent_v1_Empty, Empty__Output as _hypercell_agent_v1_Empty__Output } from '../../../hypercell/agent/v1/Empty';
import type { HostFacts as _hypercell_agent_v1_HostFacts, HostFacts__Output as _hypercell_agent_v1_HostFacts__Output } from '../../../hypercell/agent/v1/HostFacts';
import type { Inventory as _hypercell_agent_v1_Inventory, Inventory__Output as _hypercell_agent_v1_Inventory__Output } from '../../../hypercell/agent/v1/Inventory';
import type { ListKernelsResponse as _hypercell_agent_v1_ListKernelsResponse, ListKernelsResponse__Output as _hypercell_agent_v1_ListKernelsResponse__Output } from '../../../hypercell/agent/v1/ListKernelsResponse';
import type { PreflightReport as _hypercell_agent_v1_PreflightReport, PreflightReport__Output as _hypercell_agent_v1_PreflightReport__Output } from '../../../hypercell/agent/v1/PreflightReport';
import type { WatchRequest as _hypercell_agent_v1_WatchRequest, WatchRequest__Output as _hypercell_agent_v1_WatchRequest__Output } from '../../../hypercell/agent/v1/WatchRequest';

export interface AgentClient extends grpc.Client {
  BindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  BindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  BindGpu(argument: _hypercell_agent_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  BindGpu(argument: _hypercell_agent_v1_BindRequest, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  bindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  bindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  bindGpu(argument: _hypercell_agent_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  bindGpu(argument: _hypercell_agent_v1_BindRequest, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  
  CreateKernel(argument: _hypercell_agent_v1_CreateKernelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  CreateKernel(argument: _hypercell_agent_v1_CreateKernelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  CreateKernel(argument: _hypercell_agent_v1_CreateKernelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  CreateKernel(argument: _hypercell_agent_v1_CreateKernelRequest, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  createKernel(argument: _hypercell_agent_v1_CreateKernelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  createKernel(argument: _hypercell_agent_v1_CreateKernelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  createKernel(argument: _hypercell_agent_v1_CreateKernelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  createKernel(argument: _hypercell_agent_v1_CreateKernelRequest, callback: grpc.requestCallback<_hypercell_agent_v1_CreateKernelResponse__Output>): grpc.ClientUnaryCall;
  
  DestroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  DestroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  DestroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  DestroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  destroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  destroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  destroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  destroyKernel(argument: _hypercell_agent_v1_DestroyKernelRequest, callback: grpc.requestCallback<_hypercell_agent_v1_DestroyKernelResponse__Output>): grpc.ClientUnaryCall;
  
  GetFacts(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  GetFacts(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  GetFacts(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  GetFacts(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  getFacts(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  getFacts(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  getFacts(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  getFacts(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_HostFacts__Output>): grpc.ClientUnaryCall;
  
  GetInventory(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  GetInventory(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  GetInventory(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  GetInventory(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  getInventory(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  getInventory(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  getInventory(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  getInventory(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_Inventory__Output>): grpc.ClientUnaryCall;
  
  ListKernels(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  ListKernels(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  ListKernels(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  ListKernels(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  listKernels(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  listKernels(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  listKernels(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  listKernels(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_ListKernelsResponse__Output>): grpc.ClientUnaryCall;
  
  RunPreflight(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  RunPreflight(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  RunPreflight(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  RunPreflight(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  runPreflight(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  runPreflight(argument: _hypercell_agent_v1_Empty, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  runPreflight(argument: _hypercell_agent_v1_Empty, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  runPreflight(argument: _hypercell_agent_v1_Empty, callback: grpc.requestCallback<_hypercell_agent_v1_PreflightReport__Output>): grpc.ClientUnaryCall;
  
  UnbindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  UnbindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  UnbindGpu(argument: _hypercell_agent_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  UnbindGpu(argument: _hypercell_agent_v1_BindRequest, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  unbindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  unbindGpu(argument: _hypercell_agent_v1_BindRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  unbindGpu(argument: _hypercell_agent_v1_BindRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  unbindGpu(argument: _hypercell_agent_v1_BindRequest, callback: grpc.requestCallback<_hypercell_agent_v1_BindReport__Output>): grpc.ClientUnaryCall;
  
  Watch(argument: _hypercell_agent_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_hypercell_agent_v1_AgentEvent__Output>;
  Watch(argument: _hypercell_agent_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_hypercell_agent_v1_AgentEvent__Output>;
  watch(argument: _hypercell_agent_v1_WatchRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_hypercell_agent_v1_AgentEvent__Output>;
  watch(argument: _hypercell_agent_v1_WatchRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_hypercell_agent_v1_AgentEvent__Output>;
  
}

export interface AgentHandlers extends grpc.UntypedServiceImplementation {
  BindGpu: grpc.handleUnaryCall<_hypercell_agent_v1_BindRequest__Output, _hypercell_agent_v1_BindReport>;
  
  CreateKernel: grpc.handleUnaryCall<_hypercell_agent_v1_CreateKernelRequest__Output, _hypercell_agent_v1_CreateKernelResponse>;
  
  DestroyKernel: grpc.handleUnaryCall<_hypercell_agent_v1_DestroyKernelRequest__Output, _hypercell_agent_v1_DestroyKernelResponse>;
  
  GetFacts: grpc.handleUnaryCall<_hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_HostFacts>;
  
  GetInventory: grpc.handleUnaryCall<_hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_Inventory>;
  
  ListKernels: grpc.handleUnaryCall<_hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_ListKernelsResponse>;
  
  RunPreflight: grpc.handleUnaryCall<_hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_PreflightReport>;
  
  UnbindGpu: grpc.handleUnaryCall<_hypercell_agent_v1_BindRequest__Output, _hypercell_agent_v1_BindReport>;
  
  Watch: grpc.handleServerStreamingCall<_hypercell_agent_v1_WatchRequest__Output, _hypercell_agent_v1_AgentEvent>;
  
}

export interface AgentDefinition extends grpc.ServiceDefinition {
  BindGpu: MethodDefinition<_hypercell_agent_v1_BindRequest, _hypercell_agent_v1_BindReport, _hypercell_agent_v1_BindRequest__Output, _hypercell_agent_v1_BindReport__Output>
  CreateKernel: MethodDefinition<_hypercell_agent_v1_CreateKernelRequest, _hypercell_agent_v1_CreateKernelResponse, _hypercell_agent_v1_CreateKernelRequest__Output, _hypercell_agent_v1_CreateKernelResponse__Output>
  DestroyKernel: MethodDefinition<_hypercell_agent_v1_DestroyKernelRequest, _hypercell_agent_v1_DestroyKernelResponse, _hypercell_agent_v1_DestroyKernelRequest__Output, _hypercell_agent_v1_DestroyKernelResponse__Output>
  GetFacts: MethodDefinition<_hypercell_agent_v1_Empty, _hypercell_agent_v1_HostFacts, _hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_HostFacts__Output>
  GetInventory: MethodDefinition<_hypercell_agent_v1_Empty, _hypercell_agent_v1_Inventory, _hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_Inventory__Output>
  ListKernels: MethodDefinition<_hypercell_agent_v1_Empty, _hypercell_agent_v1_ListKernelsResponse, _hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_ListKernelsResponse__Output>
  RunPreflight: MethodDefinition<_hypercell_agent_v1_Empty, _hypercell_agent_v1_PreflightReport, _hypercell_agent_v1_Empty__Output, _hypercell_agent_v1_PreflightReport__Output>
  UnbindGpu: MethodDefinition<_hypercell_agent_v1_BindRequest, _hypercell_agent_v1_BindReport, _hypercell_agent_v1_BindRequest__Output, _hypercell_agent_v1_BindReport__Output>
  Watch: MethodDefinition<_hypercell_agent_v1_WatchRequest, _hypercell_agent_v1_AgentEvent, _hypercell_agent_v1_WatchRequest__Output, _hypercell_agent_v1_AgentEvent__Output>
}
