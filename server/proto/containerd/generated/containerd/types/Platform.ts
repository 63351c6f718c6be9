// Original file: server/proto/containerd/types/platform.proto


export interface Platform {
  'os'?: (string);
  'architecture'?: (string);
  'variant'?: (string);
  'osVersion'?: (string);
  'osFeatures'?: (string)[];
}

export interface Platform__Output {
  'os': (string);
  'architecture': (string);
  'variant': (string);
  'osVersion': (string);
  'osFeatures': (string)[];
}
