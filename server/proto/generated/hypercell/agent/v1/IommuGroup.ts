// Original file: server/proto/agent.proto


export interface IommuGroup {
  'id'?: (number);
  'devices'?: (string)[];
  'verdict'?: (string);
  'reasons'?: (string)[];
}

export interface IommuGroup__Output {
  'id': (number);
  'devices': (string)[];
  'verdict': (string);
  'reasons': (string)[];
}
