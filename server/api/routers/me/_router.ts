import { router, procedure } from "../../trpc";
import { PERMISSIONS, projectsWith } from "../../../authz/permissions";

export const meRouter = router({
  /** Who is signed in, their projects, and which permissions they hold (globally or per project). */
  get: procedure("authenticated").query(async ({ ctx }) => {
    const memberships = await ctx.db.projectMembership.findMany({
      where: { userId: ctx.actor.id },
      select: { role: true, project: { select: { id: true, name: true } } },
      orderBy: { project: { name: "asc" } },
    });
    const permissions = Object.fromEntries(PERMISSIONS.map((p) => [p, projectsWith(ctx.actor, p)]));
    return {
      id: ctx.actor.id,
      email: ctx.actor.email,
      name: ctx.actor.name,
      role: ctx.actor.role,
      memberships: memberships.map((m) => ({ projectId: m.project.id, projectName: m.project.name, role: m.role })),
      permissions,
    };
  }),
});
