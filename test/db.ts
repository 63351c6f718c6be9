/**
 * For `*.db.test.ts` files: a database of their own, cloned from the migrated template, with the
 * process-wide Prisma client and environment pointed at it.
 */
import { randomBytes, randomUUID } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { createDb, type Db } from "../server/db";
import type { Context, SignedInActor } from "../server/api/context";
import { createCaller } from "../server/api/root";
import type { GlobalRole } from "../server/authz/permissions";

export type TestDb = { db: Db; url: string; name: string; drop: () => Promise<void> };

export async function createTestDatabase(): Promise<TestDb> {
  const adminUrl = inject("pgAdminUrl");
  const template = inject("templateDb");
  const ppid = template.split("_").pop();
  const name = `hypercell_t_${ppid}_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  process.env.DATABASE_URL = url;
  process.env.HYPERCELL_AUTH_SECRET ??= randomBytes(32).toString("hex");
  const db = createDb(url);
  (globalThis as unknown as { hypercellDb?: Db }).hypercellDb = db;
  return {
    db,
    url,
    name,
    drop: async () => {
      await db.$disconnect();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    },
  };
}

export async function actorFor(db: Db, email: string): Promise<SignedInActor> {
  const u = await db.user.findUniqueOrThrow({ where: { email }, include: { memberships: { select: { projectId: true, role: true } } } });
  return { id: u.id, email: u.email, name: u.name, role: u.role as GlobalRole, memberships: u.memberships, sessionId: "test" };
}

export function contextFor(db: Db, actor: SignedInActor | null): Context {
  return { db, actor, signedOutReason: null, requestId: randomUUID(), clientAddress: "127.0.0.1", headers: new Headers() };
}

export async function callerAs(db: Db, email: string | null) {
  return createCaller(contextFor(db, email ? await actorFor(db, email) : null));
}

export const TEST_PASSWORDS = { admin: "admin-password-123", owner: "owner-password-123", auditor: "auditor-password-123", member: "member-password-123" };
