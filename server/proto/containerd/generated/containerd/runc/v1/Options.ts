// Original file: server/proto/containerd/runtime/runc/options.proto


export interface Options {
  'noPivotRoot'?: (boolean);
  'noNewKeyring'?: (boolean);
  'shimCgroup'?: (string);
  'ioUid'?: (number);
  'ioGid'?: (number);
  'binaryName'?: (string);
  'root'?: (string);
  'criuPath'?: (string);
  'systemdCgroup'?: (boolean);
  'criuImagePath'?: (string);
  'criuWorkPath'?: (string);
}

export interface Options__Output {
  'noPivotRoot': (boolean);
  'noNewKeyring': (boolean);
  'shimCgroup': (string);
  'ioUid': (number);
  'ioGid': (number);
  'binaryName': (string);
  'root': (string);
  'criuPath': (string);
  'systemdCgroup': (boolean);
  'criuImagePath': (string);
  'criuWorkPath': (string);
}
