// One gRPC channel to containerd with a client per service, the namespace (and optionally a lease)
// put in every call's metadata, and promise wrappers whose failures are already AppErrors.
import { randomUUID } from "node:crypto";
import * as grpc from "@grpc/grpc-js";
import { containerdServices, LEASE_METADATA_KEY, NAMESPACE_METADATA_KEY, type ContainerdServices } from "../../../proto/containerd/load";
import { containerdError, hasGrpcCode, sandboxApiMissingMessage, type CallContext } from "./containerd-errors";

export type ServiceName = keyof ContainerdServices;
type ClientOf<S extends ServiceName> = InstanceType<ContainerdServices[S]>;

export interface CallOptions {
  /** Put what this call creates under this lease. */
  lease?: string;
  /** Per-call deadline; the default suits metadata calls, long waits pass Infinity. */
  timeoutMs?: number;
  /** Override the client's namespace (namespaces themselves are global). */
  namespace?: string;
  /** Cancels the call (it then rejects RUNTIME_ERROR "… was cancelled"). */
  signal?: AbortSignal;
}

export interface ContainerdClientOptions {
  /** unix:///run/containerd/containerd.sock or host:port. */
  address: string;
  namespace: string;
  /** Default deadline for unary calls (default 30 s). */
  timeoutMs?: number;
}

/** GC labels containerd understands (see docs/containerd.md, "Garbage collection"). */
export const GC_EXPIRE_LABEL = "containerd.io/gc.expire";

type Describe = Omit<CallContext, "namespace" | "address" | "daemonVersion">;

/** The daemon's Version service answer. */
export interface DaemonVersion {
  /** e.g. "1.6.20~ds1", "v1.7.13", "2.0.0" as the daemon reports it. */
  version: string;
  revision: string;
}

const SANDBOX_SERVICES: ReadonlySet<ServiceName> = new Set(["sandboxStore", "sandboxController"]);
type UnaryFn = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (err: grpc.ServiceError | null, res: unknown) => void) => grpc.ClientUnaryCall;

export class ContainerdClient {
  readonly address: string;
  readonly namespace: string;
  private readonly timeoutMs: number;
  private readonly clients = new Map<ServiceName, grpc.Client>();
  private channelOwner: grpc.Client | undefined;
  private versionPromise: Promise<DaemonVersion> | undefined;
  /** The daemon's version once version() has answered; error messages name it. */
  daemonVersion: string | undefined;

  constructor(options: ContainerdClientOptions) {
    this.address = options.address;
    this.namespace = options.namespace;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** The client for one service; all share one channel. */
  service<S extends ServiceName>(name: S): ClientOf<S> {
    let c = this.clients.get(name);
    if (!c) {
      const Ctor = containerdServices()[name] as unknown as new (address: string, creds: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => grpc.Client;
      const options: grpc.ClientOptions = this.channelOwner ? { channelOverride: this.channelOwner.getChannel() } : {};
      // Events and image layers can be large; containerd itself allows 16 MiB.
      c = new Ctor(this.address, grpc.credentials.createInsecure(), { ...options, "grpc.max_receive_message_length": 16 << 20, "grpc.max_send_message_length": 16 << 20 });
      this.channelOwner ??= c;
      this.clients.set(name, c);
    }
    return c as ClientOf<S>;
  }

  metadata(opts: CallOptions = {}): grpc.Metadata {
    const md = new grpc.Metadata();
    md.set(NAMESPACE_METADATA_KEY, opts.namespace ?? this.namespace);
    if (opts.lease) md.set(LEASE_METADATA_KEY, opts.lease);
    return md;
  }

  callOptions(opts: CallOptions = {}): grpc.CallOptions {
    const ms = opts.timeoutMs ?? this.timeoutMs;
    return Number.isFinite(ms) ? { deadline: Date.now() + ms } : {};
  }

  /**
   * The context an error message is made from. For the Sandbox API's services an UNIMPLEMENTED
   * answer says which containerd release it needs and which one this daemon is.
   */
  context(describe: Describe, opts: CallOptions = {}, service?: ServiceName): CallContext {
    const namespace = opts.namespace ?? this.namespace;
    const ctx: CallContext = { ...describe, namespace, address: this.address, ...(this.daemonVersion ? { daemonVersion: this.daemonVersion } : {}) };
    if (service && SANDBOX_SERVICES.has(service) && !ctx.hints?.unimplemented) {
      ctx.hints = {
        ...ctx.hints,
        unimplemented: `cannot ${describe.action} (${describe.object}, namespace "${namespace}"): ${sandboxApiMissingMessage(this.daemonVersion)}; upgrade containerd or run kernels without it (sandboxMode "tasks")`,
      };
    }
    return ctx;
  }

  /**
   * The daemon's version and revision (Version service), asked once per client. It also goes
   * into later error messages (daemonVersion).
   */
  version(): Promise<DaemonVersion> {
    this.versionPromise ??= this.unary<DaemonVersion>("version", "Version", {}, { action: "read the daemon version", object: "containerd" }).then(
      (v) => {
        this.daemonVersion = v.version;
        return { version: v.version, revision: v.revision };
      },
      (e: unknown) => {
        this.versionPromise = undefined;
        throw e;
      },
    );
    return this.versionPromise;
  }

  private invoke<Res>(service: ServiceName, method: string, request: object, opts: CallOptions, done: (err: grpc.ServiceError | null, res: Res | undefined) => void): void {
    const client = this.service(service) as unknown as Record<string, UnaryFn>;
    const fn = client[method];
    if (typeof fn !== "function") throw new Error(`containerd ${service} has no method ${method}`);
    const signal = opts.signal;
    const onAbort = () => call.cancel();
    const call = fn.call(client, request, this.metadata(opts), this.callOptions(opts), (err, res) => {
      signal?.removeEventListener("abort", onAbort);
      done(err, res as Res | undefined);
    });
    if (signal?.aborted) call.cancel();
    else signal?.addEventListener("abort", onAbort, { once: true });
  }

  /** The AppError containerdError() makes of a failed call to `service` (for hand-made calls). */
  unaryError(err: unknown, describe: Describe, service?: ServiceName, opts: CallOptions = {}) {
    return containerdError(err, this.context(describe, opts, service));
  }

  /** A unary call; a failure rejects with the AppError containerdError() makes of it. */
  unary<Res>(service: ServiceName, method: string, request: object, describe: Describe, opts: CallOptions = {}): Promise<Res> {
    return new Promise<Res>((resolve, reject) => {
      this.invoke<Res>(service, method, request, opts, (err, res) => {
        if (err) reject(containerdError(err, this.context(describe, opts, service)));
        else resolve(res as Res);
      });
    });
  }

  /** Like unary(), but resolves undefined instead of rejecting when containerd says NotFound. */
  async unaryOrMissing<Res>(service: ServiceName, method: string, request: object, describe: Describe, opts: CallOptions = {}): Promise<Res | undefined> {
    return new Promise<Res | undefined>((resolve, reject) => {
      this.invoke<Res>(service, method, request, opts, (err, res) => {
        if (err && hasGrpcCode(err, grpc.status.NOT_FOUND)) resolve(undefined);
        else if (err) reject(containerdError(err, this.context(describe, opts, service)));
        else resolve(res as Res);
      });
    });
  }

  /** Collects a server stream into an array. */
  collect<Res>(service: ServiceName, method: string, request: object, describe: Describe, opts: CallOptions = {}): Promise<Res[]> {
    const client = this.service(service) as unknown as Record<string, (req: unknown, md: grpc.Metadata, o: grpc.CallOptions) => grpc.ClientReadableStream<Res>>;
    const call = client[method]!.call(client, request, this.metadata(opts), this.callOptions(opts));
    return new Promise<Res[]>((resolve, reject) => {
      const out: Res[] = [];
      call.on("data", (m: Res) => out.push(m));
      call.on("error", (err) => reject(containerdError(err, this.context(describe, opts, service))));
      call.on("end", () => resolve(out));
    });
  }

  /**
   * Runs `fn` under a fresh lease, so what it creates survives garbage collection until it is
   * referenced by something else (an image, a container). The lease expires on its own after
   * `expireMs` should we die before deleting it.
   */
  async withLease<T>(fn: (lease: string) => Promise<T>, opts: { id?: string; expireMs?: number; keep?: boolean } = {}): Promise<T> {
    const lease = await this.createLease(opts.id ?? `hypercell-${randomUUID()}`, opts.expireMs ?? 10 * 60_000);
    try {
      return await fn(lease);
    } finally {
      if (!opts.keep) await this.deleteLease(lease).catch(() => undefined);
    }
  }

  async createLease(id: string, expireMs: number): Promise<string> {
    const labels = { [GC_EXPIRE_LABEL]: new Date(Date.now() + expireMs).toISOString() };
    const res = await this.unary<{ lease: { id: string } | null }>("leases", "Create", { id, labels }, { action: "create lease", object: `lease "${id}"` });
    return res.lease?.id ?? id;
  }

  /** Deletes a lease; a lease already gone is fine. */
  async deleteLease(id: string): Promise<void> {
    await this.unaryOrMissing("leases", "Delete", { id }, { action: "delete lease", object: `lease "${id}"` });
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.channelOwner = undefined;
    this.versionPromise = undefined;
  }
}

/** containerd's filter syntax quotes with Go's strconv rules; JSON's are the same for our labels. */
export function quoteFilter(value: string): string {
  return JSON.stringify(value);
}
