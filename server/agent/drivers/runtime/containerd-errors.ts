// containerd carries its small error vocabulary (errdefs) as gRPC status codes. This turns them
// into AppErrors whose messages name the object, the namespace and what to do next, and keeps
// containerd's own words at the end so nothing is lost.
import * as grpc from "@grpc/grpc-js";
import { AppError, isAppError, type ErrorCode } from "../../../errors";

export interface CallContext {
  /** What we were doing, as a verb phrase: "create container", "start task". */
  action: string;
  /** The object, as people name it: `container "k-1"`, `image "busybox:local"`. */
  object: string;
  namespace: string;
  /** The daemon's address, for connection failures. */
  address: string;
  /** The daemon's version when known (containerd's Version service), for "too old" messages. */
  daemonVersion?: string;
  /** Overrides for a code's message where the generic one would mislead. */
  hints?: Partial<Record<"notFound" | "alreadyExists" | "failedPrecondition" | "unimplemented", string>>;
}

/** What a daemon without the Sandbox API (containerd < 1.7) is told, with its version when known. */
export function sandboxApiMissingMessage(daemonVersion?: string): string {
  return `the Sandbox API needs containerd 1.7 or newer (this daemon is ${daemonVersion || "of unknown version"})`;
}

function isServiceError(err: unknown): err is grpc.ServiceError {
  return typeof err === "object" && err !== null && "code" in err && typeof (err as { code: unknown }).code === "number" && "details" in err;
}

/** containerd's message without the "rpc error: code = … desc =" wrapping grpc-go may add. */
function daemonWords(err: grpc.ServiceError): string {
  return (err.details || err.message).replace(/^rpc error: code = \w+ desc = /, "").trim();
}

/**
 * Maps a failed containerd call to an AppError:
 * NotFound → NOT_FOUND, AlreadyExists → CONFLICT, FailedPrecondition → PRECONDITION_FAILED,
 * InvalidArgument → BAD_INPUT, and everything else (Unavailable, Unimplemented, deadlines,
 * Unknown, Internal…) → RUNTIME_ERROR. An AppError passes through unchanged. Unimplemented says
 * which call the daemon lacks and its version; Sandbox API calls pass `hints.unimplemented`
 * (sandboxApiMissingMessage) so the message names the containerd release they need.
 */
export function containerdError(err: unknown, ctx: CallContext): AppError {
  if (isAppError(err)) return err;
  if (!isServiceError(err)) {
    return new AppError("RUNTIME_ERROR", `"${ctx.action}" for ${ctx.object} failed: ${err instanceof Error ? err.message : String(err)}`, { action: ctx.action });
  }
  const words = daemonWords(err);
  const codeName = grpc.status[err.code] ?? String(err.code);
  const ns = `namespace "${ctx.namespace}"`;
  let code: ErrorCode = "RUNTIME_ERROR";
  let message: string;
  switch (err.code) {
    case grpc.status.NOT_FOUND:
      code = "NOT_FOUND";
      message = ctx.hints?.notFound ?? `${ctx.object} does not exist in containerd ${ns}; cannot ${ctx.action}`;
      break;
    case grpc.status.ALREADY_EXISTS:
      code = "CONFLICT";
      message = ctx.hints?.alreadyExists ?? `${ctx.object} already exists in containerd ${ns}; delete it first or choose another id`;
      break;
    case grpc.status.FAILED_PRECONDITION:
      code = "PRECONDITION_FAILED";
      message = ctx.hints?.failedPrecondition ?? `${ctx.object} is not in a state that allows "${ctx.action}"`;
      break;
    case grpc.status.INVALID_ARGUMENT:
      code = "BAD_INPUT";
      message = `containerd rejected "${ctx.action}" for ${ctx.object} as invalid`;
      break;
    case grpc.status.UNAVAILABLE:
      message = `containerd is not reachable at ${ctx.address} (${ctx.action}, ${ctx.object}): is the daemon running and is the socket path right?`;
      break;
    case grpc.status.UNIMPLEMENTED:
      message =
        ctx.hints?.unimplemented ??
        `this containerd${ctx.daemonVersion ? ` (${ctx.daemonVersion})` : ""} does not offer "${ctx.action}" (${ctx.object}); the call needs a newer containerd or a plugin this daemon has disabled`;
      break;
    case grpc.status.DEADLINE_EXCEEDED:
      message = `containerd did not finish "${ctx.action}" for ${ctx.object} in time`;
      break;
    case grpc.status.CANCELLED:
      message = `"${ctx.action}" for ${ctx.object} was cancelled`;
      break;
    default:
      message = `containerd could not ${ctx.action} (${ctx.object})`;
  }
  return new AppError(code, `${message} (containerd ${codeName}: ${words})`, {
    action: ctx.action,
    object: ctx.object,
    namespace: ctx.namespace,
    grpcCode: codeName,
  });
}

/** True when `err` is a gRPC error with this status code (for "already there" / "already gone"). */
export function hasGrpcCode(err: unknown, code: grpc.status): boolean {
  return isServiceError(err) && err.code === code;
}
