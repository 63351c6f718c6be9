// Original file: server/proto/containerd/services/images/v1/images.proto

import type { Image as _containerd_services_images_v1_Image, Image__Output as _containerd_services_images_v1_Image__Output } from '../../../../containerd/services/images/v1/Image';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../../google/protobuf/Timestamp';

export interface CreateImageRequest {
  'image'?: (_containerd_services_images_v1_Image | null);
  'sourceDateEpoch'?: (_google_protobuf_Timestamp | null);
}

export interface CreateImageRequest__Output {
  'image': (_containerd_services_images_v1_Image__Output | null);
  'sourceDateEpoch': (_google_protobuf_Timestamp__Output | null);
}
