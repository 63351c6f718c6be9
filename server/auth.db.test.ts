import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_PASSWORDS, type TestDb } from "../test/db";
import { seedDemo, DEMO_USERS } from "./db/seed";

let t: TestDb;
let auth: typeof import("./auth").auth;
let resolveActor: typeof import("./api/context").resolveActor;

beforeAll(async () => {
  t = await createTestDatabase();
  process.env.HYPERCELL_PUBLIC_URL = "http://localhost:3000";
  await seedDemo(t.db, TEST_PASSWORDS);
  ({ auth } = await import("./auth"));
  ({ resolveActor } = await import("./api/context"));
});
afterAll(() => t.drop());

let ipCounter = 1;
async function signIn(email: string, password: string, ip = `10.0.0.${ipCounter++}`) {
  const res = await auth().handler(
    new Request("http://localhost:3000/api/auth/sign-in/email", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "http://localhost:3000", "x-forwarded-for": ip },
      body: JSON.stringify({ email, password }),
    }),
  );
  const cookie = (res.headers.getSetCookie?.() ?? []).map((c) => c.split(";")[0]).join("; ");
  return { status: res.status, cookie, body: await res.text() };
}

describe("sign-in", () => {
  it("signs in with the right password and resolves the actor from the cookie", async () => {
    const r = await signIn(DEMO_USERS.owner.email, TEST_PASSWORDS.owner);
    expect(r.status).toBe(200);
    const { actor } = await resolveActor(new Headers({ cookie: r.cookie }), t.db);
    expect(actor).toMatchObject({ email: DEMO_USERS.owner.email, role: "user" });
    expect(actor!.memberships).toHaveLength(1);
  });

  it("refuses a wrong password without saying which part was wrong", async () => {
    const r = await signIn(DEMO_USERS.owner.email, "not-the-password");
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/invalid email or password/i);
  });

  it("rate-limits repeated attempts from one address", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await signIn(DEMO_USERS.member.email, "wrong-password-xyz", "10.9.9.9")).status);
    expect(statuses.slice(0, 5).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(5)).toEqual([429, 429]);
    // Another address is not affected.
    expect((await signIn(DEMO_USERS.member.email, TEST_PASSWORDS.member, "10.9.9.10")).status).toBe(200);
  });

  it("refuses a disabled user on the very next request, and at sign-in", async () => {
    const r = await signIn(DEMO_USERS.member.email, TEST_PASSWORDS.member);
    const headers = new Headers({ cookie: r.cookie });
    expect((await resolveActor(headers, t.db)).actor).not.toBeNull();
    await t.db.user.update({ where: { email: DEMO_USERS.member.email }, data: { disabled: true } });
    const after = await resolveActor(headers, t.db);
    expect(after.actor).toBeNull();
    expect(after.reason).toMatch(/disabled/);
    const again = await signIn(DEMO_USERS.member.email, TEST_PASSWORDS.member);
    expect(again.status).toBe(403);
    expect(again.body).toMatch(/disabled/);
    await t.db.user.update({ where: { email: DEMO_USERS.member.email }, data: { disabled: false } });
  });

  it("ends a session after 30 minutes idle and after 12 hours in all", async () => {
    const idle = await signIn(DEMO_USERS.auditor.email, TEST_PASSWORDS.auditor);
    const user = await t.db.user.findUniqueOrThrow({ where: { email: DEMO_USERS.auditor.email } });
    const session = await t.db.authSession.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
    // better-auth sets expiresAt = last activity + 30 min.
    expect(session.expiresAt.getTime() - Date.now()).toBeGreaterThan(29 * 60_000);
    expect(session.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(30 * 60_000 + 5_000);
    await t.db.authSession.update({ where: { id: session.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await resolveActor(new Headers({ cookie: idle.cookie }), t.db)).actor).toBeNull();

    const old = await signIn(DEMO_USERS.auditor.email, TEST_PASSWORDS.auditor);
    const s2 = await t.db.authSession.findFirstOrThrow({ where: { userId: user.id }, orderBy: { createdAt: "desc" } });
    await t.db.authSession.update({ where: { id: s2.id }, data: { createdAt: new Date(Date.now() - 12 * 3600_000 - 1000) } });
    const r = await resolveActor(new Headers({ cookie: old.cookie }), t.db);
    expect(r.actor).toBeNull();
    expect(r.reason).toMatch(/12 hours/);
  });

  it("has no self sign-up", async () => {
    const res = await auth().handler(
      new Request("http://localhost:3000/api/auth/sign-up/email", {
        method: "POST",
        headers: { "content-type": "application/json", origin: "http://localhost:3000" },
        body: JSON.stringify({ email: "new@x.test", password: "a-long-password-1", name: "N" }),
      }),
    );
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(await t.db.user.count({ where: { email: "new@x.test" } })).toBe(0);
  });
});
