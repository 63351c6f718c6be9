// Original file: server/proto/agent.proto


export interface PreflightCheck {
  'id'?: (string);
  'title'?: (string);
  'status'?: (string);
  'fatal'?: (boolean);
  'evidence'?: (string);
  'fix'?: (string);
}

export interface PreflightCheck__Output {
  'id': (string);
  'title': (string);
  'status': (string);
  'fatal': (boolean);
  'evidence': (string);
  'fix': (string);
}
