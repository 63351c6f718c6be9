/**
 * Reserving placements: the one statement that reserves a session (lock, allocations, kernels,
 * session, their status history), and batches of such reservations in one PostgreSQL transaction on
 * a plain pg connection, for the scheduler's hot loop.
 *
 * A batch: BEGIN; per session SAVEPOINT + the reservation statement (a GPU another scheduler took —
 * unique violation on allocations_one_live_per_gpu — or a deadlock between two schedulers' batches
 * rolls back only that session's savepoint); at the end the audit chain lock, the last hash, one
 * multi-row INSERT of the batch's hash-chained events (one per reservation) plus their NOTIFYs, and
 * COMMIT. So every reservation commits together with exactly one audit event or not at all, and the
 * chain lock is held only for the last three round trips of a batch.
 */
import pg from "pg";
import type { Db } from "../db";
import { GENESIS_HASH } from "../domain/audit/hash-chain";
import type { KernelPlacement } from "../domain/placement/select-hosts";
import { AUDIT_CHAIN_LOCK, chainAuditEvent, type AuditEntry, type AuditRequest } from "../audit/record";
import { SESSION_STATUS_CHANNEL } from "../realtime/channels";

/** The reservation statement. Parameters: see reservationValues. */
export const RESERVE_SQL = `
    WITH locked AS (
      SELECT id FROM sessions WHERE id = $1::uuid AND status = 'PENDING' FOR UPDATE SKIP LOCKED
    ), placed AS (
      SELECT k.id, k.status, k."clusterIdx", p.host, p.devices, p.reason
      FROM locked JOIN kernels k ON k."sessionId" = locked.id
      JOIN unnest($2::int[], $3::text[], $4::text[], $5::text[]) AS p(idx, host, devices, reason) ON k."clusterIdx" = p.idx
    ), alloc AS (
      INSERT INTO allocations (id, "kernelId", "gpuId", "agentId")
      SELECT gen_random_uuid(), placed.id, g.id, g."agentId"
      FROM unnest($6::int[], $7::text[]) AS a(idx, address)
      JOIN placed ON placed."clusterIdx" = a.idx
      JOIN gpus g ON g."agentId" = placed.host AND g."pciAddress" = a.address
    ), kernel AS (
      UPDATE kernels SET "agentId" = placed.host, status = 'SCHEDULED', "statusChangedAt" = ($8::timestamptz AT TIME ZONE 'UTC'), "attachedDevices" = placed.devices::jsonb
      FROM placed WHERE kernels.id = placed.id
    ), kernel_history AS (
      INSERT INTO kernel_status_history ("kernelId", "fromStatus", "toStatus", reason, "createdAt")
      SELECT id, status, 'SCHEDULED', reason, ($8::timestamptz AT TIME ZONE 'UTC') FROM placed
    ), session AS (
      UPDATE sessions SET status = 'SCHEDULED', "pendingReason" = NULL, "statusInfo" = 'scheduled', "updatedAt" = ($8::timestamptz AT TIME ZONE 'UTC')
      FROM locked WHERE sessions.id = locked.id RETURNING sessions.id
    ), session_history AS (
      INSERT INTO session_status_history ("sessionId", "fromStatus", "toStatus", reason, "createdAt")
      SELECT id, 'PENDING', 'SCHEDULED', $9, ($8::timestamptz AT TIME ZONE 'UTC') FROM session
    )
    SELECT (SELECT count(*) FROM locked)::int AS locked, (SELECT coalesce(array_agg("clusterIdx"), '{}') FROM placed) AS kernels`;

export function reservationValues(sessionId: string, placements: KernelPlacement[]): unknown[] {
  // Timestamps are stored as UTC wall-clock time, as Prisma writes them.
  const at = new Date().toISOString();
  // Placement numbers kernels from 0; kernels.clusterIdx is Backend.AI's 1-based index.
  const idx = placements.map((p) => p.clusterIdx + 1);
  const hostIds = placements.map((p) => p.hostId);
  const devices = placements.map((p) => JSON.stringify({ "cuda.device": p.gpus.map((g) => ({ pciAddress: g.address, iommuGroup: g.iommuGroup })), locality: p.locality, nics: p.nics }));
  const reasons = placements.map((p) => `placed on ${p.hostId} (${p.gpus.length ? `${p.gpus.length} GPUs, ${p.locality}` : "no GPUs"})`);
  const gpuIdx = placements.flatMap((p) => p.gpus.map(() => p.clusterIdx + 1));
  const gpuAddresses = placements.flatMap((p) => p.gpus.map((g) => g.address));
  const sessionReason = `placed on ${[...new Set(hostIds)].join(", ")}`;
  return [sessionId, idx, hostIds, devices, reasons, gpuIdx, gpuAddresses, at, sessionReason];
}

/** The statement's answer: false when the session is no longer PENDING or another scheduler holds it. Throws when a kernel is missing. */
export function reservationOutcome(sessionId: string, placements: KernelPlacement[], row: { locked: number; kernels: number[] } | undefined): boolean {
  if (!row || row.locked === 0) return false; // another scheduler has it, or it was cancelled meanwhile
  const missing = placements.find((p) => !row.kernels.includes(p.clusterIdx + 1));
  if (missing) throw new Error(`session ${sessionId} has no kernel ${missing.clusterIdx}`);
  return true;
}

export function scheduleAudit(sessionId: string, placements: KernelPlacement[]): { req: AuditRequest; entry: AuditEntry } {
  return {
    req: { actor: null, requestId: `schedule-${sessionId}`, clientAddress: null },
    entry: {
      action: "sessions.schedule",
      targetType: "session",
      targetId: sessionId,
      before: { status: "PENDING" },
      after: { status: "SCHEDULED", placements: placements.map((p) => ({ host: p.hostId, gpus: p.gpus.map((g) => g.address), locality: p.locality })) },
      result: "success",
    },
  };
}

/** Another scheduler got there first: a GPU in a live allocation already, or a deadlock between two batches. */
export function isReservationConflict(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === "23505" || code === "40P01" || code === "P2002" || /allocations_one_live_per_gpu|Unique constraint/.test(String(e));
}

const pools = new WeakMap<object, pg.Pool>();

/**
 * The pg pool reservation batches use: `given`, else one per Prisma client opened from the same
 * connection settings as its PrismaPg adapter (two connections at most, idle ones closed after 10 s
 * and never keeping the process alive). Null when the client has no PrismaPg adapter to read them
 * from; the scheduler then reserves through Prisma, one transaction per session.
 */
export function reservationPool(db: Db, given?: pg.Pool): pg.Pool | null {
  if (given) return given;
  const client = db as unknown as { _engineConfig?: { adapter?: unknown }; _originalClient?: { _engineConfig?: { adapter?: unknown } } };
  const factory = (client._engineConfig?.adapter ?? client._originalClient?._engineConfig?.adapter) as { externalPool?: unknown; config?: pg.PoolConfig } | undefined;
  if (!factory || typeof factory !== "object") return null;
  if (factory.externalPool instanceof pg.Pool) return factory.externalPool;
  if (!factory.config || (typeof factory.config.connectionString !== "string" && typeof factory.config.host !== "string")) return null;
  let pool = pools.get(factory);
  if (!pool) {
    pool = new pg.Pool({ ...factory.config, max: 2, idleTimeoutMillis: 10_000, allowExitOnIdle: true });
    // A dropped idle connection (database restarted or dropped) is replaced on next use.
    pool.on("error", () => {});
    pools.set(factory, pool);
  }
  return pool;
}

export type BatchReserveOutcome = "reserved" | "taken" | "conflict";

type Reserved = { sessionId: string; placements: KernelPlacement[] };

/** One open reservation transaction. Not reentrant: one reserve/commit at a time. */
export class ReservationBatch {
  private readonly reserved: Reserved[] = [];
  private client: pg.PoolClient | null = null;

  constructor(private readonly pool: pg.Pool) {}

  get size(): number {
    return this.reserved.length;
  }

  get open(): boolean {
    return this.client !== null;
  }

  private async query<R extends pg.QueryResultRow>(text: string, values?: unknown[], name?: string): Promise<pg.QueryResult<R>> {
    return this.client!.query<R>({ text, values, name });
  }

  /**
   * Reserves one session inside the batch's transaction, under its own savepoint. "taken": the
   * session is no longer PENDING or another scheduler holds it; "conflict": another scheduler holds
   * one of its GPUs. Either way nothing of it stays in the transaction. Any other error rolls the
   * session's savepoint back and is rethrown; the batch stays usable.
   */
  async reserve(sessionId: string, placements: KernelPlacement[]): Promise<BatchReserveOutcome> {
    if (!this.client) {
      const c = await this.pool.connect();
      try {
        await c.query("BEGIN");
      } catch (e) {
        c.release(e as Error);
        throw e;
      }
      this.client = c;
    }
    await this.query("SAVEPOINT reserve");
    let row: { locked: number; kernels: number[] } | undefined;
    try {
      row = (await this.query<{ locked: number; kernels: number[] }>(RESERVE_SQL, reservationValues(sessionId, placements), "hypercell_reserve")).rows[0];
    } catch (e) {
      await this.query("ROLLBACK TO SAVEPOINT reserve");
      if (isReservationConflict(e)) return "conflict";
      throw e;
    }
    let ok: boolean;
    try {
      ok = reservationOutcome(sessionId, placements, row);
    } catch (e) {
      await this.query("ROLLBACK TO SAVEPOINT reserve");
      throw e;
    }
    if (!ok) return "taken";
    this.reserved.push({ sessionId, placements });
    return "reserved";
  }

  /**
   * Chains one audit event per reservation onto the audit trail, notifies, and commits. Returns the
   * sessions reserved for good, in order; throws (after rolling back: none of them is) if the commit fails.
   */
  async commit(): Promise<string[]> {
    const c = this.client;
    if (!c) return [];
    const reserved = this.reserved.splice(0);
    this.client = null;
    try {
      if (reserved.length) {
        // The chain lock, then the last hash in a statement of its own (a snapshot taken after the lock).
        await c.query("SELECT pg_advisory_xact_lock($1)", [AUDIT_CHAIN_LOCK]);
        const last = await c.query<{ hash: string }>("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1");
        let prev = last.rows[0]?.hash ?? GENESIS_HASH;
        const occurredAt = new Date();
        const cols: unknown[][] = Array.from({ length: 15 }, () => []);
        const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
        for (const r of reserved) {
          const { req, entry } = scheduleAudit(r.sessionId, r.placements);
          const { fields: f, hash } = chainAuditEvent(req, entry, prev, occurredAt);
          const row = [f.occurredAt.toISOString(), f.actorId, f.actorEmail, f.persona, f.action, f.targetType, f.targetId, json(f.before), json(f.after), f.requestId, f.clientAddress, f.result, f.message, f.prevHash, hash];
          row.forEach((v, i) => cols[i]!.push(v));
          prev = hash;
        }
        // ids follow the arrays' order (ORDER BY ord), so the chain reads back in the order it was built.
        const ids = reserved.map((r) => r.sessionId);
        const done = await c.query<{ inserted: number }>(
          `WITH ins AS (
             INSERT INTO audit_events ("occurredAt", "actorId", "actorEmail", persona, action, "targetType", "targetId", before, after, "requestId", "clientAddress", result, message, "prevHash", hash)
             SELECT e."occurredAt", e."actorId", e."actorEmail", e.persona, e.action, e."targetType", e."targetId", e.before::jsonb, e.after::jsonb, e."requestId", e."clientAddress", e.result::"AuditResult", e.message, e."prevHash", e.hash
             FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[], $15::text[])
                  WITH ORDINALITY AS e("occurredAt", "actorId", "actorEmail", persona, action, "targetType", "targetId", before, after, "requestId", "clientAddress", result, message, "prevHash", hash, ord)
             ORDER BY e.ord
             RETURNING id
           )
           SELECT (SELECT count(*) FROM ins)::int AS inserted, (SELECT count(pg_notify($16, s)) FROM unnest($17::text[]) AS s)::int AS notified`,
          [...cols, SESSION_STATUS_CHANNEL, ids],
        );
        if (done.rows[0]?.inserted !== reserved.length) throw new Error(`audit: ${done.rows[0]?.inserted} events written for ${reserved.length} reservations`);
      }
      await c.query("COMMIT");
      c.release();
      return reserved.map((r) => r.sessionId);
    } catch (e) {
      await c.query("ROLLBACK").catch(() => {});
      // Destroy the connection rather than return one in an unknown state to the pool.
      c.release(e as Error);
      throw e;
    }
  }

  /** Rolls the open transaction back (nothing in it is reserved) and returns the connection. */
  async abort(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.reserved.length = 0;
    this.client = null;
    try {
      await c.query("ROLLBACK");
      c.release();
    } catch (e) {
      c.release(e as Error);
    }
  }
}
