// Original file: server/proto/agent.proto


export interface BindRequest {
  'gpuAddress'?: (string);
  'requestId'?: (string);
}

export interface BindRequest__Output {
  'gpuAddress': (string);
  'requestId': (string);
}
