// Original file: server/proto/agent.proto


export interface PciNeighbour {
  'address'?: (string);
  'vendorId'?: (string);
  'deviceId'?: (string);
  'classCode'?: (string);
  'driver'?: (string);
  'link'?: (string);
  '_vendorId'?: "vendorId";
  '_deviceId'?: "deviceId";
  '_classCode'?: "classCode";
  '_driver'?: "driver";
}

export interface PciNeighbour__Output {
  'address': (string);
  'vendorId'?: (string);
  'deviceId'?: (string);
  'classCode'?: (string);
  'driver'?: (string);
  'link': (string);
  '_vendorId'?: "vendorId";
  '_deviceId'?: "deviceId";
  '_classCode'?: "classCode";
  '_driver'?: "driver";
}
