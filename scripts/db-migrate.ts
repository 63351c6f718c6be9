// npm run db:migrate                 apply pending migrations to DATABASE_URL (or the embedded server)
// npm run db:migration -- <name>     write a new migration: diff of the schema since the last one
import { applyMigrations, createMigration } from "../server/db/migrate.ts";
import { resolveDatabase } from "../server/db/embedded.ts";

const [cmd, name] = process.argv.slice(2);
if (cmd === "new") {
  if (!name) {
    console.error("usage: npm run db:migration -- <name>   (a-z, 0-9 and _)");
    process.exit(2);
  }
  const db = await resolveDatabase();
  const created = await createMigration(name, db.url).finally(() => db.stop());
  console.log(created ? `wrote ${created.dir}/migration.sql` : "schema unchanged since the last migration: nothing written");
} else if (cmd === "deploy") {
  const db = await resolveDatabase();
  try {
    const applied = await applyMigrations(db.url);
    console.log(applied.length ? `applied ${applied.length}: ${applied.join(", ")}` : "database is up to date");
  } finally {
    await db.stop();
  }
} else {
  console.error("usage: db-migrate.ts deploy | new <name>");
  process.exit(2);
}
