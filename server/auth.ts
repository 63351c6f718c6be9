/**
 * Sign-in by email and password through better-auth (its password hashing, session tokens, cookies
 * and rate limiting; Hypercell writes none of those by hand).
 *
 * Session lifetime: 30 minutes idle (a sliding expiry refreshed at most once a minute) and 12 hours
 * absolute (checked in getActor). Cookie caching is off so that a disabled user or a revoked session
 * is refused on the very next request.
 */
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError } from "better-auth/api";
import { db } from "./db";
import { env, trustedOrigins } from "./env";

export const IDLE_TIMEOUT_SEC = 30 * 60;
export const ABSOLUTE_TIMEOUT_SEC = 12 * 60 * 60;

function createAuth() {
  const e = env();
  return betterAuth({
    appName: "Hypercell",
    secret: e.HYPERCELL_AUTH_SECRET,
    baseURL: e.HYPERCELL_PUBLIC_URL,
    basePath: "/api/auth",
    trustedOrigins: trustedOrigins(e),
    database: prismaAdapter(db(), { provider: "postgresql" }),
    user: {
      modelName: "user",
      additionalFields: {
        role: { type: "string", input: false, required: false },
        disabled: { type: "boolean", input: false, required: false },
      },
    },
    session: {
      modelName: "authSession",
      expiresIn: IDLE_TIMEOUT_SEC,
      updateAge: 60,
      cookieCache: { enabled: false },
    },
    account: { modelName: "authAccount" },
    verification: { modelName: "authVerification" },
    emailAndPassword: {
      enabled: true,
      // Accounts are created by admins in the console, never by self sign-up.
      disableSignUp: true,
      minPasswordLength: 12,
      maxPasswordLength: 256,
    },
    rateLimit: {
      enabled: true,
      storage: "database",
      modelName: "rateLimit",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: e.HYPERCELL_SIGNIN_WINDOW_SEC, max: e.HYPERCELL_SIGNIN_MAX_ATTEMPTS },
      },
    },
    databaseHooks: {
      session: {
        create: {
          before: async (session) => {
            const user = await db().user.findUnique({ where: { id: session.userId }, select: { disabled: true } });
            if (!user || user.disabled) {
              throw new APIError("FORBIDDEN", { message: "This account is disabled. Ask an administrator to enable it." });
            }
            return { data: session };
          },
        },
      },
    },
    telemetry: { enabled: false },
  });
}

type Auth = ReturnType<typeof createAuth>;
const globalForAuth = globalThis as unknown as { hypercellAuth?: Auth };

export function auth(): Auth {
  globalForAuth.hypercellAuth ??= createAuth();
  return globalForAuth.hypercellAuth;
}
