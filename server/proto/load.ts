/** Loads agent.proto at run time (proto-loader); the generated types in ./generated describe it. */
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import type { ProtoGrpcType } from "./generated/agent";

export const AGENT_PROTO = path.join(path.dirname(fileURLToPath(import.meta.url)), "agent.proto");

let cached: ProtoGrpcType | undefined;

export function agentProto(): ProtoGrpcType {
  if (cached) return cached;
  const def = protoLoader.loadSync(AGENT_PROTO, { longs: Number, enums: String, defaults: true, oneofs: true });
  cached = grpc.loadPackageDefinition(def) as unknown as ProtoGrpcType;
  return cached;
}

/** Deadlines for every call, in milliseconds. */
export const DEADLINES = {
  join: 5_000,
  heartbeat: 5_000,
  facts: 5_000,
  inventory: 15_000,
  preflight: 30_000,
  bind: 120_000,
} as const;

export function deadline(ms: number): grpc.Deadline {
  return new Date(Date.now() + ms);
}

/** gRPC target from an address: "host:port" or "unix:///path". */
export function grpcTarget(address: string): string {
  return address.startsWith("unix:") ? address : address.replace(/^tcp:\/\//, "");
}
