// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { ControllerCreateRequest as _containerd_services_sandbox_v1_ControllerCreateRequest, ControllerCreateRequest__Output as _containerd_services_sandbox_v1_ControllerCreateRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerCreateRequest';
import type { ControllerCreateResponse as _containerd_services_sandbox_v1_ControllerCreateResponse, ControllerCreateResponse__Output as _containerd_services_sandbox_v1_ControllerCreateResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerCreateResponse';
import type { ControllerMetricsRequest as _containerd_services_sandbox_v1_ControllerMetricsRequest, ControllerMetricsRequest__Output as _containerd_services_sandbox_v1_ControllerMetricsRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerMetricsRequest';
import type { ControllerMetricsResponse as _containerd_services_sandbox_v1_ControllerMetricsResponse, ControllerMetricsResponse__Output as _containerd_services_sandbox_v1_ControllerMetricsResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerMetricsResponse';
import type { ControllerPlatformRequest as _containerd_services_sandbox_v1_ControllerPlatformRequest, ControllerPlatformRequest__Output as _containerd_services_sandbox_v1_ControllerPlatformRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerPlatformRequest';
import type { ControllerPlatformResponse as _containerd_services_sandbox_v1_ControllerPlatformResponse, ControllerPlatformResponse__Output as _containerd_services_sandbox_v1_ControllerPlatformResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerPlatformResponse';
import type { ControllerShutdownRequest as _containerd_services_sandbox_v1_ControllerShutdownRequest, ControllerShutdownRequest__Output as _containerd_services_sandbox_v1_ControllerShutdownRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerShutdownRequest';
import type { ControllerShutdownResponse as _containerd_services_sandbox_v1_ControllerShutdownResponse, ControllerShutdownResponse__Output as _containerd_services_sandbox_v1_ControllerShutdownResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerShutdownResponse';
import type { ControllerStartRequest as _containerd_services_sandbox_v1_ControllerStartRequest, ControllerStartRequest__Output as _containerd_services_sandbox_v1_ControllerStartRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerStartRequest';
import type { ControllerStartResponse as _containerd_services_sandbox_v1_ControllerStartResponse, ControllerStartResponse__Output as _containerd_services_sandbox_v1_ControllerStartResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerStartResponse';
import type { ControllerStatusRequest as _containerd_services_sandbox_v1_ControllerStatusRequest, ControllerStatusRequest__Output as _containerd_services_sandbox_v1_ControllerStatusRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerStatusRequest';
import type { ControllerStatusResponse as _containerd_services_sandbox_v1_ControllerStatusResponse, ControllerStatusResponse__Output as _containerd_services_sandbox_v1_ControllerStatusResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerStatusResponse';
import type { ControllerStopRequest as _containerd_services_sandbox_v1_ControllerStopRequest, ControllerStopRequest__Output as _containerd_services_sandbox_v1_ControllerStopRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerStopRequest';
import type { ControllerStopResponse as _containerd_services_sandbox_v1_ControllerStopResponse, ControllerStopResponse__Output as _containerd_services_sandbox_v1_ControllerStopResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerStopResponse';
import type { ControllerUpdateRequest as _containerd_services_sandbox_v1_ControllerUpdateRequest, ControllerUpdateRequest__Output as _containerd_services_sandbox_v1_ControllerUpdateRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerUpdateRequest';
import type { ControllerUpdateResponse as _containerd_services_sandbox_v1_ControllerUpdateResponse, ControllerUpdateResponse__Output as _containerd_services_sandbox_v1_ControllerUpdateResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerUpdateResponse';
import type { ControllerWaitRequest as _containerd_services_sandbox_v1_ControllerWaitRequest, ControllerWaitRequest__Output as _containerd_services_sandbox_v1_ControllerWaitRequest__Output } from '../../../../containerd/services/sandbox/v1/ControllerWaitRequest';
import type { ControllerWaitResponse as _containerd_services_sandbox_v1_ControllerWaitResponse, ControllerWaitResponse__Output as _containerd_services_sandbox_v1_ControllerWaitResponse__Output } from '../../../../containerd/services/sandbox/v1/ControllerWaitResponse';

export interface ControllerClient extends grpc.Client {
  Create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_ControllerCreateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerCreateResponse__Output>): grpc.ClientUnaryCall;
  
  Metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  Metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  Metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  Metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  metrics(argument: _containerd_services_sandbox_v1_ControllerMetricsRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerMetricsResponse__Output>): grpc.ClientUnaryCall;
  
  Platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  Platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  Platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  Platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  platform(argument: _containerd_services_sandbox_v1_ControllerPlatformRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerPlatformResponse__Output>): grpc.ClientUnaryCall;
  
  Shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  Shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  shutdown(argument: _containerd_services_sandbox_v1_ControllerShutdownRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerShutdownResponse__Output>): grpc.ClientUnaryCall;
  
  Start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  Start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  start(argument: _containerd_services_sandbox_v1_ControllerStartRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStartResponse__Output>): grpc.ClientUnaryCall;
  
  Status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  Status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  status(argument: _containerd_services_sandbox_v1_ControllerStatusRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStatusResponse__Output>): grpc.ClientUnaryCall;
  
  Stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  Stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  stop(argument: _containerd_services_sandbox_v1_ControllerStopRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerStopResponse__Output>): grpc.ClientUnaryCall;
  
  Update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  Update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  Update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  Update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_ControllerUpdateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerUpdateResponse__Output>): grpc.ClientUnaryCall;
  
  Wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  Wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  wait(argument: _containerd_services_sandbox_v1_ControllerWaitRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_ControllerWaitResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface ControllerHandlers extends grpc.UntypedServiceImplementation {
  Create: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerCreateRequest__Output, _containerd_services_sandbox_v1_ControllerCreateResponse>;
  
  Metrics: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerMetricsRequest__Output, _containerd_services_sandbox_v1_ControllerMetricsResponse>;
  
  Platform: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerPlatformRequest__Output, _containerd_services_sandbox_v1_ControllerPlatformResponse>;
  
  Shutdown: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerShutdownRequest__Output, _containerd_services_sandbox_v1_ControllerShutdownResponse>;
  
  Start: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerStartRequest__Output, _containerd_services_sandbox_v1_ControllerStartResponse>;
  
  Status: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerStatusRequest__Output, _containerd_services_sandbox_v1_ControllerStatusResponse>;
  
  Stop: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerStopRequest__Output, _containerd_services_sandbox_v1_ControllerStopResponse>;
  
  Update: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerUpdateRequest__Output, _containerd_services_sandbox_v1_ControllerUpdateResponse>;
  
  Wait: grpc.handleUnaryCall<_containerd_services_sandbox_v1_ControllerWaitRequest__Output, _containerd_services_sandbox_v1_ControllerWaitResponse>;
  
}

export interface ControllerDefinition extends grpc.ServiceDefinition {
  Create: MethodDefinition<_containerd_services_sandbox_v1_ControllerCreateRequest, _containerd_services_sandbox_v1_ControllerCreateResponse, _containerd_services_sandbox_v1_ControllerCreateRequest__Output, _containerd_services_sandbox_v1_ControllerCreateResponse__Output>
  Metrics: MethodDefinition<_containerd_services_sandbox_v1_ControllerMetricsRequest, _containerd_services_sandbox_v1_ControllerMetricsResponse, _containerd_services_sandbox_v1_ControllerMetricsRequest__Output, _containerd_services_sandbox_v1_ControllerMetricsResponse__Output>
  Platform: MethodDefinition<_containerd_services_sandbox_v1_ControllerPlatformRequest, _containerd_services_sandbox_v1_ControllerPlatformResponse, _containerd_services_sandbox_v1_ControllerPlatformRequest__Output, _containerd_services_sandbox_v1_ControllerPlatformResponse__Output>
  Shutdown: MethodDefinition<_containerd_services_sandbox_v1_ControllerShutdownRequest, _containerd_services_sandbox_v1_ControllerShutdownResponse, _containerd_services_sandbox_v1_ControllerShutdownRequest__Output, _containerd_services_sandbox_v1_ControllerShutdownResponse__Output>
  Start: MethodDefinition<_containerd_services_sandbox_v1_ControllerStartRequest, _containerd_services_sandbox_v1_ControllerStartResponse, _containerd_services_sandbox_v1_ControllerStartRequest__Output, _containerd_services_sandbox_v1_ControllerStartResponse__Output>
  Status: MethodDefinition<_containerd_services_sandbox_v1_ControllerStatusRequest, _containerd_services_sandbox_v1_ControllerStatusResponse, _containerd_services_sandbox_v1_ControllerStatusRequest__Output, _containerd_services_sandbox_v1_ControllerStatusResponse__Output>
  Stop: MethodDefinition<_containerd_services_sandbox_v1_ControllerStopRequest, _containerd_services_sandbox_v1_ControllerStopResponse, _containerd_services_sandbox_v1_ControllerStopRequest__Output, _containerd_services_sandbox_v1_ControllerStopResponse__Output>
  Update: MethodDefinition<_containerd_services_sandbox_v1_ControllerUpdateRequest, _containerd_services_sandbox_v1_ControllerUpdateResponse, _containerd_services_sandbox_v1_ControllerUpdateRequest__Output, _containerd_services_sandbox_v1_ControllerUpdateResponse__Output>
  Wait: MethodDefinition<_containerd_services_sandbox_v1_ControllerWaitRequest, _containerd_services_sandbox_v1_ControllerWaitResponse, _containerd_services_sandbox_v1_ControllerWaitRequest__Output, _containerd_services_sandbox_v1_ControllerWaitResponse__Output>
}
