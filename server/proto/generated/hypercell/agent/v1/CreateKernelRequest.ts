// Original file: server/proto/agent.proto

import type { KernelMember as _hypercell_agent_v1_KernelMember, KernelMember__Output as _hypercell_agent_v1_KernelMember__Output } from '../../../hypercell/agent/v1/KernelMember';
import type { KernelGpu as _hypercell_agent_v1_KernelGpu, KernelGpu__Output as _hypercell_agent_v1_KernelGpu__Output } from '../../../hypercell/agent/v1/KernelGpu';
import type { KernelVfolder as _hypercell_agent_v1_KernelVfolder, KernelVfolder__Output as _hypercell_agent_v1_KernelVfolder__Output } from '../../../hypercell/agent/v1/KernelVfolder';
import type { Long } from '@grpc/proto-loader';

export interface CreateKernelRequest {
  'sessionId'?: (string);
  'kernelId'?: (string);
  'clusterRole'?: (string);
  'clusterIdx'?: (number);
  'clusterHostname'?: (string);
  'clusterSize'?: (number);
  'members'?: (_hypercell_agent_v1_KernelMember)[];
  'image'?: (string);
  'startupCommand'?: (string);
  'sessionType'?: (string);
  'cpu'?: (number | string);
  'mem'?: (number | string | Long);
  'gpus'?: (_hypercell_agent_v1_KernelGpu)[];
  'environ'?: ({[key: string]: string});
  'confidential'?: (boolean);
  'requestId'?: (string);
  'vfolders'?: (_hypercell_agent_v1_KernelVfolder)[];
  'nicAddresses'?: (string)[];
}

export interface CreateKernelRequest__Output {
  'sessionId': (string);
  'kernelId': (string);
  'clusterRole': (string);
  'clusterIdx': (number);
  'clusterHostname': (string);
  'clusterSize': (number);
  'members': (_hypercell_agent_v1_KernelMember__Output)[];
  'image': (string);
  'startupCommand': (string);
  'sessionType': (string);
  'cpu': (number);
  'mem': (number);
  'gpus': (_hypercell_agent_v1_KernelGpu__Output)[];
  'environ': ({[key: string]: string});
  'confidential': (boolean);
  'requestId': (string);
  'vfolders': (_hypercell_agent_v1_KernelVfolder__Output)[];
  'nicAddresses': (string)[];
}
