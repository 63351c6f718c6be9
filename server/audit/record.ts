/**
 * Audit recording. Every mutation goes through `audited()`: the change and its one AuditEvent commit
 * in the same transaction, or neither does. Refused and failed mutations are recorded too, in a
 * transaction of their own, as `denied` / `error`.
 */
import type { Db, Tx } from "../db";
import { GENESIS_HASH, hashEvent, type ChainedFields } from "../domain/audit/hash-chain";
import { isAppError } from "../errors";

/** Serialises appends so that two concurrent transactions never chain onto the same predecessor. */
export const AUDIT_CHAIN_LOCK = 0x68797072; // "hypr"

export type AuditActor = { id: string; email: string; persona: string } | null;

export type AuditRequest = { actor: AuditActor; requestId: string; clientAddress: string | null };

export type AuditEntry = {
  action: string;
  targetType: string;
  targetId?: string | null;
  before?: unknown;
  after?: unknown;
  result: "success" | "denied" | "error";
  message?: string | null;
};

/** JSON-safe summary: BigInt → string, Date → ISO string, secrets dropped. */
export function summarize(value: unknown): unknown {
  if (value === undefined || value === null) return null;
  return JSON.parse(
    JSON.stringify(value, (key, v) => {
      if (/password|secret|token|hash$/i.test(key)) return undefined;
      return typeof v === "bigint" ? v.toString() : v;
    }),
  );
}

/**
 * The chained form of one event: its fields as stored and its hash, linked to `prevHash`. Pure; for
 * writers that append several events under one hold of the chain lock (the scheduler's batches).
 */
export function chainAuditEvent(req: AuditRequest, entry: AuditEntry, prevHash: string, occurredAt = new Date()): { fields: ChainedFields; hash: string } {
  const fields: ChainedFields = {
    occurredAt,
    actorId: req.actor?.id ?? null,
    actorEmail: req.actor?.email ?? null,
    persona: req.actor?.persona ?? "system",
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    before: summarize(entry.before),
    after: summarize(entry.after),
    requestId: req.requestId,
    clientAddress: req.clientAddress,
    result: entry.result,
    message: entry.message ?? null,
    prevHash,
  };
  return { fields, hash: hashEvent(fields) };
}

export async function appendAuditEvent(tx: Tx, req: AuditRequest, entry: AuditEntry): Promise<{ id: bigint; hash: string }> {
  // Raw SQL on purpose: this runs inside every mutation and every scheduling decision, and three
  // plain statements cost a fraction of the ORM's round trips.
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const last = await tx.$queryRaw<{ hash: string }[]>`SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1`;
  const { fields, hash } = chainAuditEvent(req, entry, last[0]?.hash ?? GENESIS_HASH);
  const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
  const rows = await tx.$queryRaw<{ id: bigint }[]>`
    INSERT INTO audit_events ("occurredAt", "actorId", "actorEmail", persona, action, "targetType", "targetId", before, after, "requestId", "clientAddress", result, message, "prevHash", hash)
    VALUES (${fields.occurredAt}, ${fields.actorId}, ${fields.actorEmail}, ${fields.persona}, ${fields.action}, ${fields.targetType}, ${fields.targetId},
            ${json(fields.before)}::jsonb, ${json(fields.after)}::jsonb, ${fields.requestId}, ${fields.clientAddress}, ${fields.result}::"AuditResult", ${fields.message}, ${fields.prevHash}, ${hash})
    RETURNING id`;
  return { id: rows[0]!.id, hash };
}

export type AuditedChange<T> = { result: T; targetId?: string | null; before?: unknown; after?: unknown; message?: string };

/**
 * Runs `change` and writes its audit event in one transaction. If `change` throws, the transaction
 * rolls back and the failure is recorded in a separate one (denied for FORBIDDEN, error otherwise),
 * then the error is rethrown.
 */
export async function audited<T>(
  db: Db,
  req: AuditRequest,
  what: { action: string; targetType: string; targetId?: string | null },
  change: (tx: Tx) => Promise<AuditedChange<T>>,
): Promise<T> {
  try {
    return await db.$transaction(
      async (tx) => {
        const out = await change(tx);
        await appendAuditEvent(tx, req, {
          action: what.action,
          targetType: what.targetType,
          targetId: out.targetId ?? what.targetId ?? null,
          before: out.before,
          after: out.after,
          result: "success",
          message: out.message ?? null,
        });
        return out.result;
      },
      { timeout: 15_000, maxWait: 10_000 },
    );
  } catch (err) {
    const denied = isAppError(err) && err.code === "FORBIDDEN";
    await recordFailure(db, req, what, denied ? "denied" : "error", err);
    throw err;
  }
}

export async function recordFailure(
  db: Db,
  req: AuditRequest,
  what: { action: string; targetType: string; targetId?: string | null },
  result: "denied" | "error",
  err: unknown,
) {
  const code = (err as { code?: unknown })?.code;
  const message =
    err instanceof Error && typeof code === "string" ? `${code}: ${err.message}` : err instanceof Error ? `unexpected ${err.name}` : String(err);
  await db.$transaction((tx) => appendAuditEvent(tx, req, { ...what, result, message }));
}
