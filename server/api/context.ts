import { randomUUID } from "node:crypto";
import { db, type Db } from "../db";
import { auth, ABSOLUTE_TIMEOUT_SEC } from "../auth";
import type { Actor, GlobalRole } from "../authz/permissions";
import type { AuditRequest } from "../audit/record";

export type SignedInActor = Actor & { name: string; sessionId: string };

export type Context = {
  db: Db;
  actor: SignedInActor | null;
  /** Why there is no actor although a cookie was sent (expired, disabled…), for a clear message. */
  signedOutReason: string | null;
  requestId: string;
  clientAddress: string | null;
  headers: Headers;
};

export function clientAddressFrom(headers: Headers): string | null {
  const fwd = headers.get("x-forwarded-for");
  if (fwd) return fwd.split(",")[0]!.trim() || null;
  return headers.get("x-real-ip");
}

/**
 * Resolves the signed-in user for one request, from the database every time: a disabled user or a
 * session past its 12-hour absolute lifetime is signed out here, on the very next request.
 */
export async function resolveActor(headers: Headers, database: Db = db()): Promise<{ actor: SignedInActor | null; reason: string | null }> {
  const found = await auth().api.getSession({ headers, query: { disableCookieCache: true } });
  if (!found) return { actor: null, reason: null };
  const { session } = found;
  if (Date.now() - new Date(session.createdAt).getTime() > ABSOLUTE_TIMEOUT_SEC * 1000) {
    await database.authSession.deleteMany({ where: { id: session.id } });
    return { actor: null, reason: "Your sign-in is older than 12 hours. Please sign in again." };
  }
  const user = await database.user.findUnique({
    where: { id: session.userId },
    select: { id: true, email: true, name: true, role: true, disabled: true, memberships: { select: { projectId: true, role: true } } },
  });
  if (!user || user.disabled) {
    await database.authSession.deleteMany({ where: { userId: session.userId } });
    return { actor: null, reason: "This account is disabled. Ask an administrator to enable it." };
  }
  return {
    actor: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role as GlobalRole,
      memberships: user.memberships,
      sessionId: session.id,
    },
    reason: null,
  };
}

export async function createContext(opts: { headers: Headers }): Promise<Context> {
  const { actor, reason } = await resolveActor(opts.headers);
  return {
    db: db(),
    actor,
    signedOutReason: reason,
    requestId: opts.headers.get("x-request-id") ?? randomUUID(),
    clientAddress: clientAddressFrom(opts.headers),
    headers: opts.headers,
  };
}

export function auditRequest(ctx: Pick<Context, "actor" | "requestId" | "clientAddress">): AuditRequest {
  return {
    actor: ctx.actor ? { id: ctx.actor.id, email: ctx.actor.email, persona: ctx.actor.role } : null,
    requestId: ctx.requestId,
    clientAddress: ctx.clientAddress,
  };
}
