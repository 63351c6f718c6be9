import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { resolveActor } from "@/server/api/context";
import { mayEver } from "@/server/authz/permissions";
import { Shell, type NavItem } from "@/components/shell/shell";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const h = await headers();
  const { actor, reason } = await resolveActor(h);
  if (!actor) redirect(reason ? `/sign-in?reason=${encodeURIComponent(reason)}` : "/sign-in");
  const can = (p: Parameters<typeof mayEver>[1]) => mayEver(actor, p);
  const items: NavItem[] = [
    { href: "/", label: "Overview", icon: "gauge", show: can("overview.read") },
    { href: "/hosts", label: "Hosts", icon: "server", show: can("hosts.read") },
    { href: "/sessions", label: "Sessions", icon: "boxes", show: can("sessions.read") },
    { href: "/storage", label: "Storage", icon: "hardDrive", show: can("vfolders.read") },
    { href: "/network", label: "Network", icon: "network", show: can("network.read") },
    { href: "/metrics", label: "Metrics", icon: "activity", show: can("metrics.read") },
    { href: "/projects", label: "Projects", icon: "folder", show: can("projects.read") && !can("projects.manage") },
    { href: "/audit", label: "Audit", icon: "scroll", show: can("audit.read") },
    { href: "/admin/users", label: "Users", icon: "users", show: can("users.read"), group: "Admin" },
    { href: "/admin/projects", label: "Projects", icon: "folder", show: can("projects.manage") || (can("projects.read") && actor.role !== "user"), group: "Admin" },
    { href: "/admin/resource-groups", label: "Resource groups", icon: "layers", show: can("resourceGroups.manage") || actor.role === "auditor", group: "Admin" },
    { href: "/admin/quotas", label: "Quotas", icon: "gauge", show: can("quotas.manage") || actor.role === "auditor", group: "Admin" },
  ];
  const nav = items.filter((n) => n.show);
  return (
    <Shell nav={nav} user={{ name: actor.name, email: actor.email, role: actor.role }}>
      {children}
    </Shell>
  );
}
