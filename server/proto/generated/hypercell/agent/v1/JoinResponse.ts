// Original file: server/proto/agent.proto


export interface JoinResponse {
  'heartbeatIntervalSec'?: (number);
  'message'?: (string);
}

export interface JoinResponse__Output {
  'heartbeatIntervalSec': (number);
  'message': (string);
}
