/**
 * tRPC in three parts: context (./context.ts), init, and procedures by permission.
 * Every procedure is built with `procedure(permission)`; the permission is stored in the procedure's
 * meta so the permission-matrix test can enumerate the router, and it is checked before the input is
 * even parsed.
 */
import { initTRPC, TRPCError } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import type { Context } from "./context";
import { auditRequest } from "./context";
import { mayEver, isMutationPermission, type Permission } from "../authz/permissions";
import { recordFailure } from "../audit/record";
import { isAppError } from "../errors";
import { toTrpcError } from "./errors";

export type ProcedurePermission = Permission | "public" | "authenticated";
export type Meta = { permission: ProcedurePermission };

function zodMessage(err: ZodError): string {
  return err.issues
    .map((i) => {
      const where = i.path.length ? i.path.join(".") : "input";
      return `${where}: ${i.message}`;
    })
    .join("; ");
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    errorFormatter({ shape, error, ctx }) {
      const zod = error.cause instanceof ZodError ? error.cause : null;
      const internal = error.code === "INTERNAL_SERVER_ERROR";
      if (internal) console.error(`[trpc] ${ctx?.requestId ?? "-"} ${shape.data.path ?? ""}:`, error.cause ?? error);
      return {
        message: internal
          ? `Unexpected server error. Nothing was changed; the administrators can find it under reference ${ctx?.requestId ?? "unknown"}.`
          : zod
            ? zodMessage(zod)
            : shape.message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          appCode: isAppError(error.cause) ? error.cause.code : null,
          fieldErrors: zod ? Object.fromEntries(zod.issues.map((i) => [i.path.join("."), i.message])) : null,
          requestId: ctx?.requestId ?? null,
          // never a stack trace
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const mergeRouters = t.mergeRouters;

/** Converts AppError thrown anywhere below into the matching tRPC error. */
const appErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && isAppError(result.error.cause)) throw toTrpcError(result.error.cause);
  return result;
});

/**
 * The one way to build a procedure: it names the permission it needs ("public" ones use
 * publicProcedure). "authenticated" needs any signed-in user, anything else a role that grants it (globally or in at least
 * one project; handlers narrow to the projects with `projectsWith`). Refused mutations are audited.
 */
export const publicProcedure = t.procedure.meta({ permission: "public" }).use(appErrors);

export function procedure(permission: Exclude<ProcedurePermission, "public">) {
  return t.procedure
    .meta({ permission })
    .use(appErrors)
    .use(async ({ ctx, next, type, path }) => {
      if (!ctx.actor) {
        throw new TRPCError({ code: "UNAUTHORIZED", message: ctx.signedOutReason ?? "Please sign in." });
      }
      if (permission !== "authenticated" && !mayEver(ctx.actor, permission)) {
        const err = new TRPCError({
          code: "FORBIDDEN",
          message: `Your role (${ctx.actor.role}) does not allow ${permission}.`,
        });
        if (type === "mutation" || isMutationPermission(permission)) {
          await recordFailure(ctx.db, auditRequest(ctx), { action: path, targetType: path.split(".")[0] ?? path }, "denied", err);
        }
        throw err;
      }
      return next({ ctx: { ...ctx, actor: ctx.actor } });
    });
}
