// Original file: server/proto/agent.proto


export interface BindStep {
  'device'?: (string);
  'fromDriver'?: (string);
  'toDriver'?: (string);
  'ok'?: (boolean);
  'message'?: (string);
}

export interface BindStep__Output {
  'device': (string);
  'fromDriver': (string);
  'toDriver': (string);
  'ok': (boolean);
  'message': (string);
}
