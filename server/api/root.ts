import { router, publicProcedure, createCallerFactory } from "./trpc";
import { meRouter } from "./routers/me/_router";
import { overviewRouter } from "./routers/overview/_router";
import { usersRouter } from "./routers/users/_router";
import { projectsRouter } from "./routers/projects/_router";
import { resourceGroupsRouter } from "./routers/resource-groups/_router";
import { quotasRouter } from "./routers/quotas/_router";
import { hostsRouter } from "./routers/hosts/_router";
import { sessionsRouter } from "./routers/sessions/_router";
import { auditRouter } from "./routers/audit/_router";
import { metricsRouter } from "./routers/metrics/_router";
import { networkRouter } from "./routers/network/_router";
import { vfoldersRouter } from "./routers/vfolders/_router";

/** One router per domain. */
export const appRouter = router({
  health: publicProcedure.query(() => ({ ok: true })),
  me: meRouter,
  overview: overviewRouter,
  users: usersRouter,
  projects: projectsRouter,
  resourceGroups: resourceGroupsRouter,
  quotas: quotasRouter,
  hosts: hostsRouter,
  sessions: sessionsRouter,
  audit: auditRouter,
  metrics: metricsRouter,
  network: networkRouter,
  vfolders: vfoldersRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
