// Original file: server/proto/containerd/services/sandbox/v1/sandbox.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { StoreCreateRequest as _containerd_services_sandbox_v1_StoreCreateRequest, StoreCreateRequest__Output as _containerd_services_sandbox_v1_StoreCreateRequest__Output } from '../../../../containerd/services/sandbox/v1/StoreCreateRequest';
import type { StoreCreateResponse as _containerd_services_sandbox_v1_StoreCreateResponse, StoreCreateResponse__Output as _containerd_services_sandbox_v1_StoreCreateResponse__Output } from '../../../../containerd/services/sandbox/v1/StoreCreateResponse';
import type { StoreDeleteRequest as _containerd_services_sandbox_v1_StoreDeleteRequest, StoreDeleteRequest__Output as _containerd_services_sandbox_v1_StoreDeleteRequest__Output } from '../../../../containerd/services/sandbox/v1/StoreDeleteRequest';
import type { StoreDeleteResponse as _containerd_services_sandbox_v1_StoreDeleteResponse, StoreDeleteResponse__Output as _containerd_services_sandbox_v1_StoreDeleteResponse__Output } from '../../../../containerd/services/sandbox/v1/StoreDeleteResponse';
import type { StoreGetRequest as _containerd_services_sandbox_v1_StoreGetRequest, StoreGetRequest__Output as _containerd_services_sandbox_v1_StoreGetRequest__Output } from '../../../../containerd/services/sandbox/v1/StoreGetRequest';
import type { StoreGetResponse as _containerd_services_sandbox_v1_StoreGetResponse, StoreGetResponse__Output as _containerd_services_sandbox_v1_StoreGetResponse__Output } from '../../../../containerd/services/sandbox/v1/StoreGetResponse';
import type { StoreListRequest as _containerd_services_sandbox_v1_StoreListRequest, StoreListRequest__Output as _containerd_services_sandbox_v1_StoreListRequest__Output } from '../../../../containerd/services/sandbox/v1/StoreListRequest';
import type { StoreListResponse as _containerd_services_sandbox_v1_StoreListResponse, StoreListResponse__Output as _containerd_services_sandbox_v1_StoreListResponse__Output } from '../../../../containerd/services/sandbox/v1/StoreListResponse';
import type { StoreUpdateRequest as _containerd_services_sandbox_v1_StoreUpdateRequest, StoreUpdateRequest__Output as _containerd_services_sandbox_v1_StoreUpdateRequest__Output } from '../../../../containerd/services/sandbox/v1/StoreUpdateRequest';
import type { StoreUpdateResponse as _containerd_services_sandbox_v1_StoreUpdateResponse, StoreUpdateResponse__Output as _containerd_services_sandbox_v1_StoreUpdateResponse__Output } from '../../../../containerd/services/sandbox/v1/StoreUpdateResponse';

export interface StoreClient extends grpc.Client {
  Create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  Create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  create(argument: _containerd_services_sandbox_v1_StoreCreateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreCreateResponse__Output>): grpc.ClientUnaryCall;
  
  Delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  Delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  delete(argument: _containerd_services_sandbox_v1_StoreDeleteRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreDeleteResponse__Output>): grpc.ClientUnaryCall;
  
  Get(argument: _containerd_services_sandbox_v1_StoreGetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _containerd_services_sandbox_v1_StoreGetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _containerd_services_sandbox_v1_StoreGetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  Get(argument: _containerd_services_sandbox_v1_StoreGetRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _containerd_services_sandbox_v1_StoreGetRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _containerd_services_sandbox_v1_StoreGetRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _containerd_services_sandbox_v1_StoreGetRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  get(argument: _containerd_services_sandbox_v1_StoreGetRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreGetResponse__Output>): grpc.ClientUnaryCall;
  
  List(argument: _containerd_services_sandbox_v1_StoreListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _containerd_services_sandbox_v1_StoreListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _containerd_services_sandbox_v1_StoreListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  List(argument: _containerd_services_sandbox_v1_StoreListRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _containerd_services_sandbox_v1_StoreListRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _containerd_services_sandbox_v1_StoreListRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _containerd_services_sandbox_v1_StoreListRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  list(argument: _containerd_services_sandbox_v1_StoreListRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreListResponse__Output>): grpc.ClientUnaryCall;
  
  Update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  Update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  Update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  Update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  update(argument: _containerd_services_sandbox_v1_StoreUpdateRequest, callback: grpc.requestCallback<_containerd_services_sandbox_v1_StoreUpdateResponse__Output>): grpc.ClientUnaryCall;
  
}

export interface StoreHandlers extends grpc.UntypedServiceImplementation {
  Create: grpc.handleUnaryCall<_containerd_services_sandbox_v1_StoreCreateRequest__Output, _containerd_services_sandbox_v1_StoreCreateResponse>;
  
  Delete: grpc.handleUnaryCall<_containerd_services_sandbox_v1_StoreDeleteRequest__Output, _containerd_services_sandbox_v1_StoreDeleteResponse>;
  
  Get: grpc.handleUnaryCall<_containerd_services_sandbox_v1_StoreGetRequest__Output, _containerd_services_sandbox_v1_StoreGetResponse>;
  
  List: grpc.handleUnaryCall<_containerd_services_sandbox_v1_StoreListRequest__Output, _containerd_services_sandbox_v1_StoreListResponse>;
  
  Update: grpc.handleUnaryCall<_containerd_services_sandbox_v1_StoreUpdateRequest__Output, _containerd_services_sandbox_v1_StoreUpdateResponse>;
  
}

export interface StoreDefinition extends grpc.ServiceDefinition {
  Create: MethodDefinition<_containerd_services_sandbox_v1_StoreCreateRequest, _containerd_services_sandbox_v1_StoreCreateResponse, _containerd_services_sandbox_v1_StoreCreateRequest__Output, _containerd_services_sandbox_v1_StoreCreateResponse__Output>
  Delete: MethodDefinition<_containerd_services_sandbox_v1_StoreDeleteRequest, _containerd_services_sandbox_v1_StoreDeleteResponse, _containerd_services_sandbox_v1_StoreDeleteRequest__Output, _containerd_services_sandbox_v1_StoreDeleteResponse__Output>
  Get: MethodDefinition<_containerd_services_sandbox_v1_StoreGetRequest, _containerd_services_sandbox_v1_StoreGetResponse, _containerd_services_sandbox_v1_StoreGetRequest__Output, _containerd_services_sandbox_v1_StoreGetResponse__Output>
  List: MethodDefinition<_containerd_services_sandbox_v1_StoreListRequest, _containerd_services_sandbox_v1_StoreListResponse, _containerd_services_sandbox_v1_StoreListRequest__Output, _containerd_services_sandbox_v1_StoreListResponse__Output>
  Update: MethodDefinition<_containerd_services_sandbox_v1_StoreUpdateRequest, _containerd_services_sandbox_v1_StoreUpdateResponse, _containerd_services_sandbox_v1_StoreUpdateRequest__Output, _containerd_services_sandbox_v1_StoreUpdateResponse__Output>
}
