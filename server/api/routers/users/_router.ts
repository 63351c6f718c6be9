import { z } from "zod";
import { randomUUID } from "node:crypto";
import { hashPassword } from "better-auth/crypto";
import { router, procedure } from "../../trpc";
import { mutate, zId, zUuid } from "../shared";
import { AppError } from "../../../errors";

const zEmail = z.email("must be an email address like ada@example.com").max(254).transform((s) => s.toLowerCase());
const zPassword = z.string().min(12, "must be at least 12 characters").max(256, "must be at most 256 characters");
const zRole = z.enum(["admin", "auditor", "user"], { error: "must be admin, auditor or user" });
const zPersonName = z.string().trim().min(1, "is required").max(100, "must be at most 100 characters");

const userSelect = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  disabledAt: true,
  createdAt: true,
  resourcePolicy: { select: { id: true, name: true } },
  memberships: { select: { role: true, project: { select: { id: true, name: true } } } },
} as const;

export const usersRouter = router({
  list: procedure("users.read")
    .input(z.object({ search: z.string().max(100).optional() }).optional())
    .query(({ ctx, input }) =>
      ctx.db.user.findMany({
        where: input?.search
          ? { OR: [{ email: { contains: input.search, mode: "insensitive" } }, { name: { contains: input.search, mode: "insensitive" } }] }
          : {},
        select: userSelect,
        orderBy: { email: "asc" },
      }),
    ),

  create: procedure("users.manage")
    .input(z.object({ email: zEmail, name: zPersonName, role: zRole, password: zPassword, resourcePolicyId: zUuid.nullish() }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "users.create", targetType: "user" }, async (tx) => {
        if (await tx.user.findUnique({ where: { email: input.email } })) {
          throw new AppError("CONFLICT", `A user with email ${input.email} already exists.`);
        }
        const id = randomUUID();
        const user = await tx.user.create({
          data: { id, email: input.email, name: input.name, role: input.role, emailVerified: true, resourcePolicyId: input.resourcePolicyId ?? null },
          select: userSelect,
        });
        await tx.authAccount.create({
          data: { id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: await hashPassword(input.password) },
        });
        return { result: user, targetId: id, after: { email: user.email, name: user.name, role: user.role } };
      }),
    ),

  update: procedure("users.manage")
    .input(
      z.object({
        id: zId,
        name: zPersonName.optional(),
        role: zRole.optional(),
        disabled: z.boolean().optional(),
        resourcePolicyId: zUuid.nullish(),
      }),
    )
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "users.update", targetType: "user", targetId: input.id }, async (tx) => {
        const before = await tx.user.findUnique({ where: { id: input.id }, select: { name: true, role: true, disabled: true, resourcePolicyId: true } });
        if (!before) throw new AppError("NOT_FOUND", "No such user.");
        if (input.id === ctx.actor.id && (input.disabled === true || (input.role && input.role !== "admin"))) {
          throw new AppError("CONFLICT", "You cannot disable or demote yourself; ask another admin.");
        }
        if (before.role === "admin" && ((input.role && input.role !== "admin") || input.disabled)) {
          const admins = await tx.user.count({ where: { role: "admin", disabled: false } });
          if (admins <= 1) throw new AppError("CONFLICT", "This is the last active admin; make another admin first.");
        }
        const user = await tx.user.update({
          where: { id: input.id },
          data: {
            name: input.name,
            role: input.role,
            disabled: input.disabled,
            disabledAt: input.disabled === undefined ? undefined : input.disabled ? new Date() : null,
            resourcePolicyId: input.resourcePolicyId,
          },
          select: userSelect,
        });
        // A disabled user is signed out everywhere at once.
        if (input.disabled) await tx.authSession.deleteMany({ where: { userId: input.id } });
        return {
          result: user,
          before,
          after: { name: user.name, role: user.role, disabled: user.disabled, resourcePolicyId: user.resourcePolicy?.id ?? null },
        };
      }),
    ),

  setPassword: procedure("users.manage")
    .input(z.object({ id: zId, password: zPassword }))
    .mutation(({ ctx, input }) =>
      mutate(ctx, { action: "users.setPassword", targetType: "user", targetId: input.id }, async (tx) => {
        const account = await tx.authAccount.findFirst({ where: { userId: input.id, providerId: "credential" } });
        if (!account) throw new AppError("NOT_FOUND", "No such user.");
        await tx.authAccount.update({ where: { id: account.id }, data: { password: await hashPassword(input.password) } });
        await tx.authSession.deleteMany({ where: { userId: input.id } });
        return { result: { ok: true }, after: { passwordChanged: true, signedOutEverywhere: true } };
      }),
    ),
});
