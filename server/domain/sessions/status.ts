/**
 * Backend.AI's session and kernel status sets (BEP-1030 / Sokovan), as pure data and predicates.
 */
import type { KernelStatus, SessionStatus } from "../../db/generated/enums";

export const SESSION_STATUSES = [
  "PENDING", "DEPRIORITIZING", "RESERVED", "SCHEDULED", "PREPARING", "PULLING", "PREPARED", "CREATING", "RUNNING",
  "RESTARTING", "RUNNING_DEGRADED", "PREEMPTED", "RESCHEDULING", "TERMINATING", "TERMINATED", "ERROR", "CANCELLED",
] as const satisfies readonly SessionStatus[];

export const TERMINAL_SESSION_STATUSES = ["ERROR", "TERMINATED", "CANCELLED"] as const satisfies readonly SessionStatus[];

/** Statuses that hold resources: all except PENDING, DEPRIORITIZING, PREEMPTED, RESCHEDULING and the terminal ones. */
export const RESOURCE_OCCUPYING_SESSION_STATUSES = SESSION_STATUSES.filter(
  (s) => !["PENDING", "DEPRIORITIZING", "PREEMPTED", "RESCHEDULING", ...TERMINAL_SESSION_STATUSES].includes(s),
);

/** Live = not terminal. */
export const LIVE_SESSION_STATUSES = SESSION_STATUSES.filter((s) => !(TERMINAL_SESSION_STATUSES as readonly string[]).includes(s));

export function isTerminal(s: SessionStatus): boolean {
  return (TERMINAL_SESSION_STATUSES as readonly string[]).includes(s);
}

/** May move to TERMINATING: all but TERMINATING and the terminal statuses. */
export function isTerminatable(s: SessionStatus): boolean {
  return s !== "TERMINATING" && !isTerminal(s);
}

/** Where a user's terminate request sends a session: nothing started yet is simply cancelled. */
export function terminationTarget(s: SessionStatus): SessionStatus | null {
  if (!isTerminatable(s)) return null;
  return s === "PENDING" || s === "DEPRIORITIZING" ? "CANCELLED" : "TERMINATING";
}

export const KERNEL_STATUSES = [
  "PENDING", "RESERVED", "SCHEDULED", "PREPARING", "BUILDING", "PULLING", "PREPARED", "CREATING", "RUNNING",
  "RESTARTING", "RESIZING", "SUSPENDED", "TERMINATING", "TERMINATED", "ERROR", "CANCELLED",
] as const satisfies readonly KernelStatus[];

export function kernelTarget(session: SessionStatus): KernelStatus {
  return session === "CANCELLED" ? "CANCELLED" : "TERMINATING";
}
