/**
 * The console for the browser tests: `npm start` in a throw-away state directory with known demo
 * passwords, on its own port, against a fresh database (a new embedded server, or a new database on
 * the DATABASE_URL server).
 */
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freePort } from "../test/free-port.ts";
import { E2E_PASSWORDS } from "../e2e/passwords.ts";

const stateDir = mkdtempSync(path.join(os.tmpdir(), "hypercell-e2e-"));
chmodSync(stateDir, 0o755);
writeFileSync(path.join(stateDir, "demo-credentials.json"), JSON.stringify(E2E_PASSWORDS));
process.env.HYPERCELL_STATE_DIR = stateDir;
process.env.PORT = process.env.E2E_PORT ?? "3210";
process.env.HYPERCELL_PG_PORT = String(await freePort());
process.env.HYPERCELL_CONTROLLER_LISTEN = `127.0.0.1:${await freePort()}`;
process.env.HYPERCELL_SIGNIN_MAX_ATTEMPTS = "200";
// The pcie-4gpu host refuses to unbind one audio function, so binding its GPU must roll back.
// And every simulated GPU reports Xid 79 ("fallen off the bus") 20 s into a session, for the alert flow.
const xid = (host: string, addrs: string[]) => addrs.map((a) => `${host}=xid:79:${a}`);
process.env.HYPERCELL_SIM_FAULTS = [
  "pcie-4gpu=refuse-unbind:0000:c1:00.1",
  ...xid("hgx-h100", ["19", "3b", "4c", "5d", "9b", "bb", "cb", "db"].map((b) => `0000:${b}:00.0`)),
  ...xid("pcie-4gpu", ["01", "41", "c1", "e1"].map((b) => `0000:${b}:00.0`)),
].join(";");
process.env.HYPERCELL_PUBLIC_URL = `http://127.0.0.1:${process.env.PORT}`;

if (process.env.DATABASE_URL) {
  const name = `hypercell_e2e_${process.pid}`;
  const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(process.env.DATABASE_URL);
  u.pathname = `/${name}`;
  process.env.DATABASE_URL = u.toString();
}

await import("./start.ts");
