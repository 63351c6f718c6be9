/** The one place that turns domain errors into tRPC error codes. */
import { TRPCError } from "@trpc/server";
import type { TRPC_ERROR_CODE_KEY } from "@trpc/server/rpc";
import { AppError, type ErrorCode } from "../errors";

const TO_TRPC: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  BAD_INPUT: "BAD_REQUEST",
  UNAUTHENTICATED: "UNAUTHORIZED",
  FORBIDDEN: "FORBIDDEN",
  NOT_FOUND: "NOT_FOUND",
  CONFLICT: "CONFLICT",
  RATE_LIMITED: "TOO_MANY_REQUESTS",
  QUOTA_EXCEEDED: "FORBIDDEN",
  PRECONDITION_FAILED: "PRECONDITION_FAILED",
  GPU_IOMMU_GROUP_UNSAFE: "PRECONDITION_FAILED",
  GPU_ALREADY_ALLOCATED: "CONFLICT",
  AGENT_UNAVAILABLE: "SERVICE_UNAVAILABLE",
  CONFIG_INVALID: "BAD_REQUEST",
  SYSFS_INVALID: "UNPROCESSABLE_CONTENT",
  RUNTIME_ERROR: "BAD_GATEWAY",
  AUDIT_CHAIN_BROKEN: "INTERNAL_SERVER_ERROR",
  INTERNAL: "INTERNAL_SERVER_ERROR",
};

export function toTrpcError(err: AppError): TRPCError {
  return new TRPCError({ code: TO_TRPC[err.code], message: err.message, cause: err });
}

/** Prisma's unique-constraint violation, turned into a message a person can act on. */
export function uniqueViolation(err: unknown, what: string): AppError | null {
  const code = (err as { code?: string })?.code;
  if (code === "P2002") return new AppError("CONFLICT", `${what} already exists`);
  return null;
}
