// Original file: server/proto/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { HeartbeatRequest as _hypercell_agent_v1_HeartbeatRequest, HeartbeatRequest__Output as _hypercell_agent_v1_HeartbeatRequest__Output } from '../../../hypercell/agent/v1/HeartbeatRequest';
import type { HeartbeatResponse as _hypercell_agent_v1_HeartbeatResponse, HeartbeatResponse__Output as _hypercell_agent_v1_HeartbeatResponse__Output } from '../../../hypercell/agent/v1/HeartbeatResponse';
import type { JoinRequest as _hypercell_agent_v1_JoinRequest, JoinRequest__Output as _hypercell_agent_v1_JoinRequest__Output } from '../../../hypercell/agent/v1/JoinRequest';
import type { JoinResponse as _hypercell_agent_v1_JoinResponse, JoinResponse__Output as _hypercell_agent_v1_JoinResponse__Output } from '../../../hypercell/agent/v1/JoinResponse';

export interface AgentRegistryClient extends grpc.Client {
  Heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  Heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  heartbeat(argument: _hypercell_agent_v1_HeartbeatRequest, callback: grpc.requestCallback<_hypercell_agent_v1_HeartbeatResponse__Output>): grpc.ClientUnaryCall;
  
  Join(argument: _hypercell_agent_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _hypercell_agent_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _hypercell_agent_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  Join(argument: _hypercell_agent_v1_JoinRequest, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _hypercell_agent_v1_JoinRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _hypercell_agent_v1_JoinRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _hypercell_agent_v1_JoinRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  join(argument: _hypercell_agent_v1_JoinRequest, callback: grpc.requestCallback<_hypercell_agent_v1_JoinResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface AgentRegistryHandlers extends grpc.UntypedServiceImplementation {
  Heartbeat: grpc.handleUnaryCall<_hypercell_agent_v1_HeartbeatRequest__Output, _hypercell_agent_v1_HeartbeatResponse>;
  
  Join: grpc.handleUnaryCall<_hypercell_agent_v1_JoinRequest__Output, _hypercell_agent_v1_JoinResponse>;
  
}

export interface AgentRegistryDefinition extends grpc.ServiceDefinition {
  Heartbeat: MethodDefinition<_hypercell_agent_v1_HeartbeatRequest, _hypercell_agent_v1_HeartbeatResponse, _hypercell_agent_v1_HeartbeatRequest__Output, _hypercell_agent_v1_HeartbeatResponse__Output>
  Join: MethodDefinition<_hypercell_agent_v1_JoinRequest, _hypercell_agent_v1_JoinResponse, _hypercell_agent_v1_JoinRequest__Output, _hypercell_agent_v1_JoinResponse__Output>
}
