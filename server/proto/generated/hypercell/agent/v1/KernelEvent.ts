// Original file: server/proto/agent.proto


export interface KernelEvent {
  'kernelId'?: (string);
  'sessionId'?: (string);
  'status'?: (string);
  'reason'?: (string);
  'containerId'?: (string);
  'exitCode'?: (number);
}

export interface KernelEvent__Output {
  'kernelId': (string);
  'sessionId': (string);
  'status': (string);
  'reason': (string);
  'containerId': (string);
  'exitCode': (number);
}
