/**
 * The one place where roles are mapped to actions. Every tRPC procedure declares one of these
 * permissions (or "public" / "authenticated"), and the server checks it on every call.
 *
 * Global roles (User.role) grant a permission everywhere. Project roles (ProjectMembership.role)
 * grant it only for objects of that project: handlers narrow their queries with
 * `projectsWith(actor, permission)`, so an owner of project A asking for a session of project B
 * gets NOT_FOUND, never the data.
 */
export const PERMISSIONS = [
  "me.read",
  "overview.read",
  "hosts.read",
  "hosts.manage",
  "gpus.read",
  "gpus.bind",
  "gpus.quarantine",
  "sessions.read",
  "sessions.create",
  "sessions.terminate",
  "vfolders.read",
  "vfolders.manage",
  "storage.manage",
  "network.read",
  "network.manage",
  "metrics.read",
  "audit.read",
  "audit.export",
  "audit.verify",
  "users.read",
  "users.manage",
  "projects.read",
  "projects.manage",
  "projects.members.manage",
  "resourceGroups.read",
  "resourceGroups.manage",
  "quotas.read",
  "quotas.manage",
] as const;

export type Permission = (typeof PERMISSIONS)[number];
export type GlobalRole = "admin" | "auditor" | "user";
export type ProjectRole = "owner" | "member";
export type Role = GlobalRole | `project.${ProjectRole}`;

const READS = PERMISSIONS.filter((p) => p.endsWith(".read"));

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  admin: PERMISSIONS,
  /** Reads everything, including the audit trail; changes nothing. */
  auditor: [...READS, "audit.export", "audit.verify"],
  /** Any signed-in user: their own profile and the resource groups they may launch into. */
  user: ["me.read", "overview.read", "resourceGroups.read"],
  "project.member": ["projects.read", "sessions.read", "sessions.create", "sessions.terminate", "vfolders.read", "network.read", "metrics.read", "quotas.read"],
  "project.owner": [
    "projects.read",
    "projects.members.manage",
    "sessions.read",
    "sessions.create",
    "sessions.terminate",
    "vfolders.read",
    "vfolders.manage",
    "network.read",
    "metrics.read",
    "quotas.read",
  ],
};

export type Actor = {
  id: string;
  email: string;
  role: GlobalRole;
  memberships: readonly { projectId: string; role: ProjectRole }[];
};

export function globalRoleAllows(role: GlobalRole, permission: Permission): boolean {
  return ROLE_PERMISSIONS[role].includes(permission);
}

/** "all" when a global role grants the permission; otherwise the projects whose role grants it. */
export function projectsWith(actor: Actor, permission: Permission): "all" | string[] {
  if (globalRoleAllows(actor.role, permission)) return "all";
  // An auditor changes nothing, whatever project memberships they also hold.
  if (actor.role === "auditor" && isMutationPermission(permission)) return [];
  return actor.memberships.filter((m) => ROLE_PERMISSIONS[`project.${m.role}`].includes(permission)).map((m) => m.projectId);
}

/** Whether the actor holds the permission anywhere (globally or in at least one project). */
export function mayEver(actor: Actor, permission: Permission): boolean {
  const scope = projectsWith(actor, permission);
  return scope === "all" || scope.length > 0;
}

/** Whether the actor holds the permission for one project's objects. */
export function mayInProject(actor: Actor, permission: Permission, projectId: string): boolean {
  const scope = projectsWith(actor, permission);
  return scope === "all" || scope.includes(projectId);
}

/** Mutations are every permission that is not a read; auditors hold none of them. */
export function isMutationPermission(p: Permission): boolean {
  return !p.endsWith(".read");
}
