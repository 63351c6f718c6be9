/**
 * Prepares PostgreSQL once for the `db` test project: a migrated template database that every test
 * file clones (CREATE DATABASE … TEMPLATE), so files run in parallel without seeing each other.
 * Uses the server in DATABASE_URL when set, else an embedded PostgreSQL 18 in a temp directory.
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { startEmbedded } from "../server/db/embedded";
import { applyMigrations } from "../server/db/migrate";
import { freePort } from "./free-port";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    templateDb: string;
  }
}

export default async function setup(project: TestProject) {
  let adminUrl: string;
  let stop = async () => {};
  let dir: string | null = null;
  if (process.env.DATABASE_URL) {
    adminUrl = process.env.DATABASE_URL;
  } else {
    dir = mkdtempSync(path.join(os.tmpdir(), "hypercell-test-pg-"));
    chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
    const started = await startEmbedded({ dataDir: path.join(dir, "data"), port: await freePort(), database: "postgres", quiet: true });
    adminUrl = started.url;
    stop = started.stop;
  }
  const template = `hypercell_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${template}`;
  await applyMigrations(templateUrl.toString());
  project.provide("pgAdminUrl", adminUrl);
  project.provide("templateDb", template);
  console.log(`[db tests] PostgreSQL ${process.env.DATABASE_URL ? "from DATABASE_URL" : "embedded"}; template ${template}`);

  return async () => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE 'hypercell_t_${process.pid}_%'`,
      [template],
    );
    for (const r of rows) await admin.query(`DROP DATABASE IF EXISTS ${r.datname} WITH (FORCE)`);
    await admin.end();
    await stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
