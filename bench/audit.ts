/**
 * npm run bench -- audit [events=100000]
 * Fills a fresh database with a valid hash-chained audit trail, then measures the audit page's API
 * (audit.list through `next start`, signed in as an auditor) at several depths and filters, with the
 * same queries done with OFFSET pagination as the baseline in the same run. Also times audit.verify.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import pg from "pg";
import { startEmbedded } from "../server/db/embedded.ts";
import { applyMigrations } from "../server/db/migrate.ts";
import { GENESIS_HASH, hashEvent } from "../server/domain/audit/hash-chain.ts";
import { freePort } from "../test/free-port.ts";

const ACTIONS = ["sessions.create", "sessions.terminate", "users.update", "projects.setMember", "resourceGroups.update", "gpus.bind", "hosts.drain"];
const ACTORS = Array.from({ length: 40 }, (_, i) => `user${i}@example.com`);

function pct(xs: number[], p: number) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Appends n events that continue the chain after `prev` (the newest hash already stored). */
async function fill(client: pg.Client, n: number, startHash: string) {
  let prev = startHash;
  const t0 = Date.now() - n * 1000;
  const batch = 2000;
  for (let i = 0; i < n; i += batch) {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let j = i; j < Math.min(n, i + batch); j++) {
      const actor = ACTORS[j % ACTORS.length]!;
      const f = {
        occurredAt: new Date(t0 + j * 1000),
        actorId: `id-${actor}`,
        actorEmail: actor,
        persona: j % 7 === 0 ? "admin" : "user",
        action: ACTIONS[j % ACTIONS.length]!,
        targetType: "session",
        targetId: randomUUID(),
        before: { status: "RUNNING" },
        after: { status: "TERMINATING", reason: "user-requested" },
        requestId: randomUUID(),
        clientAddress: "10.0.0.1",
        result: j % 50 === 0 ? "denied" : "success",
        message: null,
        prevHash: prev,
      };
      const hash = hashEvent(f);
      prev = hash;
      const k = values.length;
      rows.push(`($${k + 1},$${k + 2},$${k + 3},$${k + 4},$${k + 5},$${k + 6},$${k + 7},$${k + 8}::jsonb,$${k + 9}::jsonb,$${k + 10},$${k + 11},$${k + 12}::"AuditResult",$${k + 13},$${k + 14},$${k + 15})`);
      values.push(f.occurredAt, f.actorId, f.actorEmail, f.persona, f.action, f.targetType, f.targetId, JSON.stringify(f.before), JSON.stringify(f.after), f.requestId, f.clientAddress, f.result, f.message, f.prevHash, hash);
    }
    await client.query(
      `INSERT INTO audit_events ("occurredAt","actorId","actorEmail",persona,action,"targetType","targetId",before,after,"requestId","clientAddress",result,message,"prevHash",hash) VALUES ${rows.join(",")}`,
      values,
    );
  }
  await client.query("ANALYZE audit_events");
}

export async function main(args: string[]) {
  const n = Number(args[0] ?? 100_000);
  const dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-bench-"));
  chmodSync(dir, 0o755);
  const db = await startEmbedded({ dataDir: path.join(dir, "pg"), port: await freePort(), database: "bench", quiet: true });
  let web: ReturnType<typeof spawn> | null = null;
  try {
    await applyMigrations(db.url);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    process.env.DATABASE_URL = db.url;
    process.env.HYPERCELL_AUTH_SECRET = "b".repeat(40);
    const { createDb } = await import("../server/db.ts");
    const { seedDemo } = await import("../server/db/seed.ts");
    const prisma = createDb(db.url);
    const pw = { admin: "bench-admin-password", owner: "bench-owner-password", auditor: "bench-auditor-password", member: "bench-member-password" };
    await seedDemo(prisma, pw);
    // Continue the chain after the seed's own event.
    const last = await client.query<{ hash: string }>("SELECT hash FROM audit_events ORDER BY id DESC LIMIT 1");
    const t = Date.now();
    await fill(client, n, last.rows[0]?.hash ?? GENESIS_HASH);
    console.log(`filled ${n.toLocaleString()} chained audit events in ${((Date.now() - t) / 1000).toFixed(1)} s`);

    // Production server, never the dev server.
    const require = createRequire(import.meta.url);
    const nextBin = path.join(path.dirname(require.resolve("next/package.json")), "dist/bin/next");
    if (!existsSync(".next/BUILD_ID")) throw new Error("no production build: run `npx next build` (or npm start once) first");
    const port = await freePort();
    web = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], {
      stdio: "ignore",
      env: { ...process.env, NODE_ENV: "production", DATABASE_URL: db.url, HYPERCELL_PUBLIC_URL: `http://127.0.0.1:${port}`, HYPERCELL_SIGNIN_MAX_ATTEMPTS: "100" },
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300; i++) {
      if (await fetch(`${base}/api/health`).then((r) => r.ok, () => false)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const signin = await fetch(`${base}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: base },
      body: JSON.stringify({ email: "auditor@hypercell.local", password: pw.auditor }),
    });
    const cookie = signin.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    const maxId = Number((await client.query<{ m: string }>("SELECT max(id)::text AS m FROM audit_events")).rows[0]!.m);

    const call = async (input: unknown) => {
      const q = encodeURIComponent(JSON.stringify({ 0: { json: input, meta: input && (input as { cursor?: unknown }).cursor !== undefined ? { values: { cursor: ["bigint"] } } : undefined } }));
      const t0 = performance.now();
      const r = await fetch(`${base}/api/trpc/audit.list?batch=1&input=${q}`, { headers: { cookie } });
      await r.text();
      if (!r.ok) throw new Error(`audit.list ${r.status}`);
      return performance.now() - t0;
    };
    const sql = async (text: string, params: unknown[] = []) => {
      const t0 = performance.now();
      await client.query(text, params);
      return performance.now() - t0;
    };
    const depth = Math.floor(n * 0.9);
    const cases: { name: string; keyset: () => Promise<number>; keysetSql: () => Promise<number>; offset: () => Promise<number> }[] = [
      {
        name: "first page (50 newest)",
        keyset: () => call({ filter: {}, limit: 50 }),
        keysetSql: () => sql(`SELECT * FROM audit_events ORDER BY id DESC LIMIT 51`),
        offset: () => sql(`SELECT * FROM audit_events ORDER BY id DESC LIMIT 50 OFFSET 0`),
      },
      {
        name: `page at depth ${depth.toLocaleString()}`,
        keyset: () => call({ filter: {}, limit: 50, cursor: String(maxId - depth) }),
        keysetSql: () => sql(`SELECT * FROM audit_events WHERE id < $1 ORDER BY id DESC LIMIT 51`, [maxId - depth]),
        offset: () => sql(`SELECT * FROM audit_events ORDER BY id DESC LIMIT 50 OFFSET ${depth}`),
      },
      {
        name: "filter by action",
        keyset: () => call({ filter: { action: "gpus.bind" }, limit: 50 }),
        keysetSql: () => sql(`SELECT * FROM audit_events WHERE action = 'gpus.bind' AND id < $1 ORDER BY id DESC LIMIT 51`, [maxId - 35000]),
        offset: () => sql(`SELECT * FROM audit_events WHERE action = 'gpus.bind' ORDER BY id DESC LIMIT 50 OFFSET 5000`),
      },
      {
        name: "filter by actor + 1 day range",
        keyset: () => call({ filter: { actor: "user7@example.com", from: new Date(Date.now() - n * 500).toISOString(), to: new Date(Date.now() - n * 400).toISOString() }, limit: 50 }),
        keysetSql: () => sql(`SELECT * FROM audit_events WHERE "actorEmail" = 'user7@example.com' AND id < $1 ORDER BY id DESC LIMIT 51`, [maxId - 80000]),
        offset: () => sql(`SELECT * FROM audit_events WHERE "actorEmail" = 'user7@example.com' ORDER BY id DESC LIMIT 50 OFFSET 2000`),
      },
    ];
    console.log(`\n${n.toLocaleString()} events. "page" = audit.list over HTTP (next start, signed in as auditor, keyset);`);
    console.log(`baselines in the same run: the keyset query alone in SQL, and OFFSET pagination to the same depth in SQL.`);
    console.log("case".padEnd(34), "page p50".padStart(10), "page p95".padStart(10), "keyset-sql p95".padStart(15), "offset-sql p95".padStart(15));
    for (const c of cases) {
      for (let i = 0; i < 5; i++) await c.keyset(); // warm up
      const ks: number[] = [];
      const kq: number[] = [];
      const os_: number[] = [];
      for (let i = 0; i < 100; i++) {
        ks.push(await c.keyset());
        kq.push(await c.keysetSql());
        os_.push(await c.offset());
      }
      const f = (x: number, w: number) => `${x.toFixed(1)} ms`.padStart(w);
      console.log(c.name.padEnd(34), f(pct(ks, 50), 10), f(pct(ks, 95), 10), f(pct(kq, 95), 15), f(pct(os_, 95), 15));
    }
    const tv = performance.now();
    const vr = await fetch(`${base}/api/trpc/audit.verify?batch=1&input=${encodeURIComponent('{"0":{"json":null}}')}`, { headers: { cookie } });
    const vbody = await vr.text();
    console.log(`\naudit.verify over ${n.toLocaleString()} events: ${(performance.now() - tv).toFixed(0)} ms (${/"ok":true/.test(vbody) ? "chain intact" : "CHAIN BROKEN"})`);
    await prisma.$disconnect();
    await client.end();
  } finally {
    web?.kill("SIGTERM");
    await db.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
