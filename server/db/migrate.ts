/**
 * Migrations without any download: drives Prisma's schema engine compiled to WebAssembly (the npm
 * package @prisma/schema-engine-wasm) through the pg driver adapter. `applyMigrations` is what
 * `prisma migrate deploy` runs, against the same `_prisma_migrations` table, so a site where the
 * native CLI works can use either. New migrations are diffs from the schema as of the last migration
 * (prisma/migrations/schema.snapshot.prisma) to the current one — no shadow database needed.
 */
import { readFile, readdir, writeFile, mkdir, copyFile, access } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

type Engine = {
  applyMigrations(input: unknown): Promise<{ appliedMigrationNames: string[] }>;
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
  free(): void;
};

export const MIGRATIONS_DIR = path.resolve("prisma/migrations");
export const SCHEMA_FILE = path.resolve("prisma/schema.prisma");
export const SNAPSHOT_FILE = path.join(MIGRATIONS_DIR, "schema.snapshot.prisma");
const LOCK_FILE = "migration_lock.toml";
const filters = { externalTables: [], externalEnums: [] };

let wasmReady: Promise<typeof import("@prisma/schema-engine-wasm/schema_engine_bg")> | undefined;

/** Node 20 cannot import a .wasm module, so instantiate it by hand with the JS glue as imports. */
function loadEngineModule() {
  wasmReady ??= (async () => {
    const require = createRequire(import.meta.url);
    const glue = await import("@prisma/schema-engine-wasm/schema_engine_bg");
    const wasmPath = path.join(path.dirname(require.resolve("@prisma/schema-engine-wasm/schema_engine_bg")), "schema_engine_bg.wasm");
    const { instance } = await WebAssembly.instantiate(await readFile(wasmPath), { "./schema_engine_bg.js": glue as never });
    glue.__wbg_set_wasm(instance.exports);
    (instance.exports as { __wbindgen_start: () => void }).__wbindgen_start();
    return glue;
  })();
  return wasmReady;
}

type ScriptRunner = {
  executeScript(script: string): Promise<void>;
  underlyingDriver(): { query(sql: string): Promise<unknown> };
  dispose(): Promise<void>;
};

/**
 * The pg adapter runs a migration script by splitting it on ";", which breaks PL/pgSQL bodies (our
 * triggers). The native engine sends the whole script at once; do the same through pg's simple-query
 * protocol, which accepts several statements in one round trip.
 */
class WholeScriptPg extends PrismaPg {
  readonly opened: ScriptRunner[] = [];
  override async connect() {
    const adapter = (await super.connect()) as unknown as ScriptRunner;
    this.opened.push(adapter);
    adapter.executeScript = async (script: string) => {
      await adapter.underlyingDriver().query(script);
    };
    return adapter as never;
  }
}

async function withEngine<T>(databaseUrl: string, datamodel: string, fn: (engine: Engine) => Promise<T>): Promise<T> {
  const glue = await loadEngineModule();
  const factory = new WholeScriptPg({ connectionString: databaseUrl });
  const adapter = bindMigrationAwareSqlAdapterFactory(factory);
  const log = (msg: string) => {
    if (process.env.HYPERCELL_MIGRATE_DEBUG) console.error(`[schema-engine] ${msg}`);
  };
  const engine = (await (glue.SchemaEngine as unknown as { new: (...a: unknown[]) => Promise<Engine> }).new(
    { datamodels: [[SCHEMA_FILE, datamodel]] },
    log,
    adapter,
  )) as Engine;
  try {
    return await fn(engine);
  } finally {
    engine.free();
    // Each adapter holds a pg pool; close them so scripts exit and the database can be dropped or cloned.
    await Promise.all(factory.opened.map((a) => a.dispose()));
  }
}

async function exists(p: string) {
  return access(p).then(
    () => true,
    () => false,
  );
}

async function readMigrationsList() {
  const entries = (await exists(MIGRATIONS_DIR)) ? await readdir(MIGRATIONS_DIR, { withFileTypes: true }) : [];
  const dirs = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  const migrationDirectories = await Promise.all(
    dirs.map(async (dir) => {
      const file = path.join(MIGRATIONS_DIR, dir, "migration.sql");
      const content = await readFile(file, "utf8").then(
        (c) => ({ tag: "ok", value: c }),
        (e: Error) => ({ tag: "error", value: e.message }),
      );
      return { path: dir, migrationFile: { path: "migration.sql", content } };
    }),
  );
  const lockPath = path.join(MIGRATIONS_DIR, LOCK_FILE);
  return {
    baseDir: MIGRATIONS_DIR,
    lockfile: { path: LOCK_FILE, content: (await exists(lockPath)) ? await readFile(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}

/** Applies every migration not yet applied. Idempotent. Returns the names it applied. */
export async function applyMigrations(databaseUrl: string): Promise<string[]> {
  const datamodel = await readFile(SCHEMA_FILE, "utf8");
  const migrationsList = await readMigrationsList();
  return withEngine(databaseUrl, datamodel, async (engine) => {
    const out = await engine.applyMigrations({ migrationsList, filters });
    return out.appliedMigrationNames;
  });
}

/** SQL that turns the database described by `from` (or an empty one) into the one described by `to`. */
export async function diffDatamodels(from: string | null, to: string, databaseUrl: string): Promise<string> {
  return withEngine(databaseUrl, to, async (engine) => {
    const res = await engine.diff({
      from: from === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: [{ path: SNAPSHOT_FILE, content: from }] },
      to: { tag: "schemaDatamodel", files: [{ path: SCHEMA_FILE, content: to }] },
      script: true,
      exitCode: null,
      filters,
    });
    return res.stdout ?? "";
  });
}

/**
 * Writes prisma/migrations/<timestamp>_<name>/migration.sql with the diff since the last migration and
 * refreshes the snapshot. Returns null when the schema did not change. The engine wants a live
 * connection even for a datamodel-to-datamodel diff; nothing is written to that database.
 */
export async function createMigration(name: string, databaseUrl: string): Promise<{ dir: string; sql: string } | null> {
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`migration name "${name}" may use only a-z, 0-9 and _`);
  const current = await readFile(SCHEMA_FILE, "utf8");
  const previous = (await exists(SNAPSHOT_FILE)) ? await readFile(SNAPSHOT_FILE, "utf8") : null;
  const sql = await diffDatamodels(previous, current, databaseUrl);
  if (!sql.trim() || /^-- This is an empty migration\.?\s*$/.test(sql.trim())) return null;
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, "migration.sql"), sql);
  await copyFile(SCHEMA_FILE, SNAPSHOT_FILE);
  const lock = path.join(MIGRATIONS_DIR, LOCK_FILE);
  if (!(await exists(lock))) await writeFile(lock, '# Do not edit by hand.\nprovider = "postgresql"\n');
  return { dir, sql };
}
