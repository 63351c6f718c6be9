/**
 * Mutual TLS for the agent protocol. Both sides present a certificate chaining to the same CA and
 * require the peer's; without TLS paths the channel is plaintext (loopback, simulated hosts).
 */
import { readFileSync } from "node:fs";
import * as grpc from "@grpc/grpc-js";

export type TlsPaths = { certPath: string; keyPath: string; caPath: string };

function read(file: string, what: string): Buffer {
  try {
    return readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read the ${what} at ${file}: ${(e as NodeJS.ErrnoException).code ?? e}`);
  }
}

export function serverCredentials(tls: TlsPaths | null): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(read(tls.caPath, "TLS CA bundle"), [{ private_key: read(tls.keyPath, "TLS key"), cert_chain: read(tls.certPath, "TLS certificate") }], true);
}

export function channelCredentials(tls: TlsPaths | null): grpc.ChannelCredentials {
  if (!tls) return grpc.credentials.createInsecure();
  return grpc.credentials.createSsl(read(tls.caPath, "TLS CA bundle"), read(tls.keyPath, "TLS key"), read(tls.certPath, "TLS certificate"));
}
