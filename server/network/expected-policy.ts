/**
 * The Calico policy that should exist right now: rendered from every live session in the database.
 * The console shows it (and evaluates it); the controller writes it to Calico's datastore.
 */
import type { Db } from "../db";
import { LIVE_SESSION_STATUSES } from "../domain/sessions/status";
import { tenancyFromDb, type DbSessionRow } from "../domain/network/tenancy-from-db";
import { reachabilityForTenancy } from "../domain/network/isolation";
import { allObjects } from "../domain/network/render-policy";

export const ENDPOINT_NAMESPACE = "default";
export const ENDPOINT_INTERFACE = "eth0";

/** Loads live sessions and agents, and renders the whole policy set with its reachability matrix. */
export async function loadPolicyState(db: Db, controllerAddress: string) {
  const [rows, agents] = await Promise.all([
    db.session.findMany({
      where: { status: { in: [...LIVE_SESSION_STATUSES] } },
      select: {
        id: true,
        name: true,
        status: true,
        projectId: true,
        project: { select: { name: true } },
        resourceGroup: { select: { name: true } },
        kernels: {
          where: { status: { notIn: ["TERMINATED", "CANCELLED", "ERROR"] } },
          select: { id: true, clusterRole: true, clusterIdx: true, clusterHostname: true, agentId: true },
        },
      },
      orderBy: { createdAt: "asc" },
    }),
    db.agent.findMany({ where: { status: { not: "TERMINATED" } }, select: { id: true, address: true, status: true } }),
  ]);
  const sessions: DbSessionRow[] = rows.map((s) => ({
    id: s.id,
    name: s.name,
    status: s.status,
    projectId: s.projectId,
    projectName: s.project.name,
    resourceGroupName: s.resourceGroup.name,
    kernels: s.kernels,
  }));
  const fromDb = tenancyFromDb({ sessions, agents, controllers: [controllerAddress] });
  const { tenancy, rendered, matrix } = reachabilityForTenancy(fromDb.tenancy, { endpointNamespace: ENDPOINT_NAMESPACE, endpointInterface: ENDPOINT_INTERFACE });
  return { sessions, fromDb, tenancy, rendered, matrix, expected: allObjects(rendered) };
}

/** HYPERCELL_CALICO_ETCD_ENDPOINTS as a list, or null when no Calico datastore is configured. */
export function etcdEndpointsFrom(raw: string | undefined): string[] | null {
  const list = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return list.length ? list : null;
}
