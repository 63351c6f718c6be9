/**
 * The closed vocabulary of errors Hypercell reports. Every layer throws `AppError(code, message)`;
 * one place (server/api/errors.ts) maps codes to tRPC/HTTP status, and the gRPC layer maps them to
 * gRPC status codes. Messages are for people: say what was wrong and what is allowed.
 */
export const ERROR_CODES = {
  BAD_INPUT: "input failed validation",
  UNAUTHENTICATED: "no valid sign-in",
  FORBIDDEN: "the persona may not do this",
  NOT_FOUND: "no such object, or not visible to the caller",
  CONFLICT: "the change collides with current state",
  RATE_LIMITED: "too many attempts",
  QUOTA_EXCEEDED: "a resource policy refuses the request",
  PRECONDITION_FAILED: "the object is not in a state that allows this",
  /** A GPU's IOMMU group holds a device that is not the GPU's own function or a bridge. */
  GPU_IOMMU_GROUP_UNSAFE: "the GPU's IOMMU group cannot be passed through safely",
  /** A GPU is already held by a live allocation (database constraint or agent-side check). */
  GPU_ALREADY_ALLOCATED: "the GPU is in another live allocation",
  AGENT_UNAVAILABLE: "the host agent cannot be reached",
  CONFIG_INVALID: "a configuration file is invalid",
  SYSFS_INVALID: "sysfs contents could not be understood",
  RUNTIME_ERROR: "the container runtime refused the request",
  AUDIT_CHAIN_BROKEN: "the audit hash chain does not verify",
  INTERNAL: "unexpected server error",
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details?: Record<string, unknown>;
  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = "AppError";
    this.code = code;
    this.details = details;
  }
}

export function isAppError(err: unknown): err is AppError {
  return err instanceof AppError;
}
