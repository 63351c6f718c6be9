// Prisma 7 keeps the datasource URL here. Migrations are applied by scripts/db-migrate.ts through the
// WASM schema engine, so no CLI download is ever needed; `prisma migrate deploy` also works where the
// native engine is available (same prisma/migrations folder, same _prisma_migrations table).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations", seed: "tsx prisma/seed.ts" },
  datasource: { url: process.env.DATABASE_URL ?? "" },
});
