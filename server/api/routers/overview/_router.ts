import { router, procedure } from "../../trpc";
import { projectScope } from "../shared";
import { mayEver } from "../../../authz/permissions";
import { LIVE_SESSION_STATUSES } from "../../../domain/sessions/status";

export const overviewRouter = router({
  /** The landing page's numbers, each limited to what the caller may see. */
  get: procedure("overview.read").query(async ({ ctx }) => {
    const seesHosts = mayEver(ctx.actor, "hosts.read");
    const seesSessions = mayEver(ctx.actor, "sessions.read");
    const [agents, gpus, sessions, projects] = await Promise.all([
      seesHosts ? ctx.db.agent.groupBy({ by: ["status"], _count: true }) : Promise.resolve(null),
      seesHosts ? ctx.db.gpu.groupBy({ by: ["passthrough"], _count: true }) : Promise.resolve(null),
      seesSessions
        ? ctx.db.session.groupBy({ by: ["status"], _count: true, where: { ...projectScope(ctx, "sessions.read"), status: { in: [...LIVE_SESSION_STATUSES] } } })
        : Promise.resolve(null),
      ctx.db.projectMembership.count({ where: { userId: ctx.actor.id } }),
    ]);
    return {
      hosts: agents && Object.fromEntries(agents.map((a) => [a.status, a._count])),
      gpus: gpus && Object.fromEntries(gpus.map((g) => [g.passthrough, g._count])),
      liveSessions: sessions && Object.fromEntries(sessions.map((s) => [s.status, s._count])),
      myProjects: projects,
    };
  }),
});
