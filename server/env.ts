/**
 * The only reader of process.env for the web and controller processes. Parsed once by zod; a bad
 * value stops the process with a message naming the variable and what is allowed.
 */
import { z } from "zod";

const schema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  DATABASE_URL: z
    .string({ error: "DATABASE_URL is required (npm start sets it for the embedded PostgreSQL)" })
    .regex(/^postgres(ql)?:\/\//, "DATABASE_URL must start with postgresql://"),
  /** Signs sign-in cookies. npm start generates one under .hypercell/ when unset. */
  HYPERCELL_AUTH_SECRET: z.string().min(32, "HYPERCELL_AUTH_SECRET must be at least 32 characters"),
  /** The URL people use to reach the console; used for cookie and Origin checks. */
  HYPERCELL_PUBLIC_URL: z.url("HYPERCELL_PUBLIC_URL must be a URL like http://localhost:3000").default("http://localhost:3000"),
  /** Extra origins allowed to call mutations (comma-separated), e.g. behind a proxy. */
  HYPERCELL_TRUSTED_ORIGINS: z.string().default(""),
  /** Sign-in attempts allowed per window per client address. */
  HYPERCELL_SIGNIN_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  HYPERCELL_SIGNIN_WINDOW_SEC: z.coerce.number().int().min(1).default(60),
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

export function trustedOrigins(e: Env = env()): string[] {
  const extra = e.HYPERCELL_TRUSTED_ORIGINS.split(",").map((s) => s.trim()).filter(Boolean);
  return [new URL(e.HYPERCELL_PUBLIC_URL).origin, ...extra.map((o) => new URL(o).origin)];
}
