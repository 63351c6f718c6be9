// Original file: server/proto/agent.proto


export interface WatchRequest {
  'controllerId'?: (string);
}

export interface WatchRequest__Output {
  'controllerId': (string);
}
