// Original file: server/proto/agent.proto


export interface PciDevice {
  'address'?: (string);
  'vendorId'?: (string);
  'deviceId'?: (string);
  'classCode'?: (string);
  'driver'?: (string);
  'numaNode'?: (number);
  'iommuGroup'?: (number);
  'parent'?: (string);
  'subsystemVendorId'?: (string);
  'subsystemDeviceId'?: (string);
  'physfn'?: (string);
  '_vendorId'?: "vendorId";
  '_deviceId'?: "deviceId";
  '_classCode'?: "classCode";
  '_driver'?: "driver";
  '_numaNode'?: "numaNode";
  '_iommuGroup'?: "iommuGroup";
  '_parent'?: "parent";
  '_subsystemVendorId'?: "subsystemVendorId";
  '_subsystemDeviceId'?: "subsystemDeviceId";
  '_physfn'?: "physfn";
}

export interface PciDevice__Output {
  'address': (string);
  'vendorId'?: (string);
  'deviceId'?: (string);
  'classCode'?: (string);
  'driver'?: (string);
  'numaNode'?: (number);
  'iommuGroup'?: (number);
  'parent'?: (string);
  'subsystemVendorId'?: (string);
  'subsystemDeviceId'?: (string);
  'physfn'?: (string);
  '_vendorId'?: "vendorId";
  '_deviceId'?: "deviceId";
  '_classCode'?: "classCode";
  '_driver'?: "driver";
  '_numaNode'?: "numaNode";
  '_iommuGroup'?: "iommuGroup";
  '_parent'?: "parent";
  '_subsystemVendorId'?: "subsystemVendorId";
  '_subsystemDeviceId'?: "subsystemDeviceId";
  '_physfn'?: "physfn";
}
