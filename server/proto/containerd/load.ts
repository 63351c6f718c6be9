/**
 * Loads our containerd .proto subset at run time. gRPC clients come from proto-loader; the same
 * files are also parsed into a protobufjs Root, because events arrive packed in
 * google.protobuf.Any and must be decoded by type name. Types in ./generated describe the
 * messages (regenerate with the command in docs/containerd.md).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import protobuf from "protobufjs";
import type { ContainersClient } from "./generated/containerd/services/containers/v1/Containers";
import type { ContentClient } from "./generated/containerd/services/content/v1/Content";
import type { DiffClient } from "./generated/containerd/services/diff/v1/Diff";
import type { EventsClient } from "./generated/containerd/services/events/v1/Events";
import type { ImagesClient } from "./generated/containerd/services/images/v1/Images";
import type { IntrospectionClient } from "./generated/containerd/services/introspection/v1/Introspection";
import type { LeasesClient } from "./generated/containerd/services/leases/v1/Leases";
import type { NamespacesClient } from "./generated/containerd/services/namespaces/v1/Namespaces";
import type { ControllerClient } from "./generated/containerd/services/sandbox/v1/Controller";
import type { StoreClient } from "./generated/containerd/services/sandbox/v1/Store";
import type { SnapshotsClient } from "./generated/containerd/services/snapshots/v1/Snapshots";
import type { TasksClient } from "./generated/containerd/services/tasks/v1/Tasks";
import type { VersionClient } from "./generated/containerd/services/version/v1/Version";

/** Import root of the .proto files (imports are written relative to it, as containerd's are). */
export const CONTAINERD_PROTO_DIR = path.dirname(fileURLToPath(import.meta.url));

export const CONTAINERD_PROTO_FILES = [
  "services/namespaces/v1/namespace.proto",
  "services/images/v1/images.proto",
  "services/content/v1/content.proto",
  "services/snapshots/v1/snapshots.proto",
  "services/diff/v1/diff.proto",
  "services/containers/v1/containers.proto",
  "services/tasks/v1/tasks.proto",
  "services/events/v1/events.proto",
  "services/leases/v1/leases.proto",
  "services/version/v1/version.proto",
  "services/sandbox/v1/sandbox.proto",
  "services/introspection/v1/introspection.proto",
  "events/task.proto",
  "events/container.proto",
  "runtime/runc/options.proto",
] as const;

/** The metadata key containerd reads the namespace from (over gRPC; ttrpc uses another). */
export const NAMESPACE_METADATA_KEY = "containerd-namespace";
/** The metadata key that puts everything a call creates under a lease (protection from GC). */
export const LEASE_METADATA_KEY = "containerd-lease";

type ClientCtor<T> = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => T;

export interface ContainerdServices {
  namespaces: ClientCtor<NamespacesClient>;
  images: ClientCtor<ImagesClient>;
  content: ClientCtor<ContentClient>;
  snapshots: ClientCtor<SnapshotsClient>;
  diff: ClientCtor<DiffClient>;
  containers: ClientCtor<ContainersClient>;
  tasks: ClientCtor<TasksClient>;
  events: ClientCtor<EventsClient>;
  leases: ClientCtor<LeasesClient>;
  version: ClientCtor<VersionClient>;
  introspection: ClientCtor<IntrospectionClient>;
  sandboxStore: ClientCtor<StoreClient>;
  sandboxController: ClientCtor<ControllerClient>;
}

const LOADER_OPTIONS: protoLoader.Options = {
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [CONTAINERD_PROTO_DIR],
};

let cachedDefinition: protoLoader.PackageDefinition | undefined;
let cachedServices: ContainerdServices | undefined;
let cachedRoot: protobuf.Root | undefined;

/** The proto-loader package definition (also what a test server registers services from). */
export function containerdPackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync([...CONTAINERD_PROTO_FILES], LOADER_OPTIONS);
  return cachedDefinition;
}

function lookup(obj: grpc.GrpcObject, dotted: string): unknown {
  let cur: unknown = obj;
  for (const part of dotted.split(".")) cur = (cur as Record<string, unknown> | undefined)?.[part];
  if (!cur) throw new Error(`containerd proto: ${dotted} is not defined`);
  return cur;
}

/** Client constructors, one per containerd service. */
export function containerdServices(): ContainerdServices {
  if (cachedServices) return cachedServices;
  const pkg = grpc.loadPackageDefinition(containerdPackageDefinition());
  const get = <T>(name: string) => lookup(pkg, name) as ClientCtor<T>;
  cachedServices = {
    namespaces: get("containerd.services.namespaces.v1.Namespaces"),
    images: get("containerd.services.images.v1.Images"),
    content: get("containerd.services.content.v1.Content"),
    snapshots: get("containerd.services.snapshots.v1.Snapshots"),
    diff: get("containerd.services.diff.v1.Diff"),
    containers: get("containerd.services.containers.v1.Containers"),
    tasks: get("containerd.services.tasks.v1.Tasks"),
    events: get("containerd.services.events.v1.Events"),
    leases: get("containerd.services.leases.v1.Leases"),
    version: get("containerd.services.version.v1.Version"),
    introspection: get("containerd.services.introspection.v1.Introspection"),
    sandboxStore: get("containerd.services.sandbox.v1.Store"),
    sandboxController: get("containerd.services.sandbox.v1.Controller"),
  };
  return cachedServices;
}

/** A protobufjs Root holding every message of our subset (for packing and unpacking Any). */
export function containerdProtoRoot(): protobuf.Root {
  if (cachedRoot) return cachedRoot;
  const root = new protobuf.Root();
  // google/protobuf/* resolve to protobufjs's bundled copies; ours resolve under the proto dir.
  root.resolvePath = (_origin, target) => (target.startsWith("google/protobuf/") ? target : path.join(CONTAINERD_PROTO_DIR, target));
  root.loadSync([...CONTAINERD_PROTO_FILES], { keepCase: false });
  root.resolveAll();
  cachedRoot = root;
  return root;
}

/**
 * Note: google.protobuf.Any comes from protobufjs's bundled JSON definitions, so its field keeps
 * the name `type_url` even though every other field is camelCased.
 *
 * Decodes an Any to a plain object (camelCase fields, longs as numbers, enums as names), or
 * undefined when the type URL names a message outside our subset.
 */
export function unpackAny(any: { type_url?: string; value?: Uint8Array | Buffer | null } | null | undefined): { type: string; value: Record<string, unknown> } | undefined {
  if (!any?.type_url) return undefined;
  const type = any.type_url.slice(any.type_url.lastIndexOf("/") + 1);
  let msg: protobuf.Type;
  try {
    msg = containerdProtoRoot().lookupType(type);
  } catch {
    return undefined;
  }
  const decoded = msg.decode(any.value ?? new Uint8Array());
  return { type, value: msg.toObject(decoded, { longs: Number, enums: String, defaults: true }) as Record<string, unknown> };
}

/** Packs a message of our subset into an Any, as containerd's typeurl does for protobuf types. */
export function packAny(type: string, value: Record<string, unknown>): { type_url: string; value: Buffer } {
  const msg = containerdProtoRoot().lookupType(type);
  const err = msg.verify(value);
  if (err) throw new Error(`packAny ${type}: ${err}`);
  return { type_url: type, value: Buffer.from(msg.encode(msg.fromObject(value)).finish()) };
}
