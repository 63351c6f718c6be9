import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./db/generated/client";
import { env } from "./env";

export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export function createDb(url: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
}

const globalForDb = globalThis as unknown as { hypercellDb?: PrismaClient };

/** The process-wide client (one pool per process; survives Next's dev reloads). */
export function db(): PrismaClient {
  globalForDb.hypercellDb ??= createDb(env().DATABASE_URL);
  return globalForDb.hypercellDb;
}

export * from "./db/generated/client";
