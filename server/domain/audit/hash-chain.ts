/**
 * The audit trail's hash chain: each event stores the hash of its predecessor and its own hash over
 * a canonical form of its content, so changing, removing or reordering any event breaks every link
 * after it. Pure: no I/O.
 */
import { createHash } from "node:crypto";

export const GENESIS_HASH = "0".repeat(64);

export type ChainedFields = {
  occurredAt: Date;
  actorId: string | null;
  actorEmail: string | null;
  persona: string;
  action: string;
  targetType: string;
  targetId: string | null;
  before: unknown;
  after: unknown;
  requestId: string;
  clientAddress: string | null;
  result: string;
  message: string | null;
  prevHash: string;
};

/** JSON with object keys sorted at every depth; `undefined` becomes null, as the database stores it. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint") return JSON.stringify(value.toString());
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

export function hashEvent(e: ChainedFields): string {
  const body = canonicalJson({
    v: 1,
    occurredAt: e.occurredAt.toISOString(),
    actorId: e.actorId,
    actorEmail: e.actorEmail,
    persona: e.persona,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before ?? null,
    after: e.after ?? null,
    requestId: e.requestId,
    clientAddress: e.clientAddress,
    result: e.result,
    message: e.message,
  });
  return createHash("sha256").update(e.prevHash).update("\n").update(body).digest("hex");
}

export type ChainBreak = { id: bigint; reason: string };

/**
 * Checks a run of events in chain order, continuing from `prevHash` (the last good hash before
 * them). Returns the first broken link, or the hash to continue from.
 */
export function verifyRun(
  events: readonly (ChainedFields & { id: bigint; hash: string })[],
  prevHash: string,
): { ok: true; lastHash: string } | { ok: false; break: ChainBreak } {
  let expectedPrev = prevHash;
  for (const e of events) {
    if (e.prevHash !== expectedPrev) {
      return { ok: false, break: { id: e.id, reason: `event ${e.id} does not link to its predecessor (an event before it was removed, changed or reordered)` } };
    }
    if (hashEvent(e) !== e.hash) {
      return { ok: false, break: { id: e.id, reason: `event ${e.id} was changed after it was written (its content no longer matches its hash)` } };
    }
    expectedPrev = e.hash;
  }
  return { ok: true, lastHash: expectedPrev };
}
