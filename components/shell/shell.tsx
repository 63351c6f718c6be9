"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { usePathname, useRouter } from "next/navigation";
import { useTheme } from "next-themes";
import { Activity, Boxes, Folder, Gauge, HardDrive, Layers, LogOut, Moon, Network, ScrollText, Server, Sun, Users } from "lucide-react";
import { authClient } from "@/lib/auth-client";
import { cn } from "@/lib/utils";
import { Badge } from "@/components/ui/badge";

const ICONS = { hardDrive: HardDrive, gauge: Gauge, server: Server, boxes: Boxes, network: Network, activity: Activity, folder: Folder, scroll: ScrollText, users: Users, layers: Layers };

export type NavItem = { href: string; label: string; icon: keyof typeof ICONS; show: boolean; group?: string };

const ROLE_LABEL: Record<string, string> = { admin: "Admin", auditor: "Auditor (read-only)", user: "Project user" };

export function Shell({ nav, user, children }: { nav: NavItem[]; user: { name: string; email: string; role: string }; children: React.ReactNode }) {
  const pathname = usePathname();
  const router = useRouter();
  const { resolvedTheme, setTheme } = useTheme();
  // The theme is known only in the browser; render the toggle's icon after mount to avoid a hydration mismatch.
  const [mounted, setMounted] = useState(false);
  useEffect(() => setMounted(true), []);
  const groups = [...new Set(nav.map((n) => n.group ?? ""))];

  async function signOut() {
    await authClient.signOut();
    router.replace("/sign-in");
    router.refresh();
  }

  return (
    <div className="flex min-h-screen">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded focus:bg-card focus:px-3 focus:py-2">
        Skip to content
      </a>
      <aside className="sticky top-0 flex h-screen w-56 shrink-0 flex-col border-r border-border bg-card">
        <Link href="/" className="flex items-center gap-2 px-4 py-4">
          <span className="flex h-7 w-7 items-center justify-center rounded-md bg-accent font-mono text-sm font-bold text-accent-fg">H</span>
          <span className="font-semibold tracking-tight">Hypercell</span>
        </Link>
        <nav aria-label="Main" className="flex-1 overflow-y-auto px-2">
          {groups.map((g) => (
            <div key={g || "main"} className="mb-3">
              {g ? <div className="px-2 pt-2 pb-1 text-xs font-medium tracking-wide text-muted-fg uppercase">{g}</div> : null}
              <ul className="grid gap-0.5">
                {nav
                  .filter((n) => (n.group ?? "") === g)
                  .map((n) => {
                    const Icon = ICONS[n.icon];
                    const active = n.href === "/" ? pathname === "/" : pathname === n.href || pathname.startsWith(n.href + "/");
                    return (
                      <li key={n.href}>
                        <Link
                          href={n.href}
                          aria-current={active ? "page" : undefined}
                          className={cn(
                            "flex items-center gap-2.5 rounded-md px-2 py-1.5 text-sm text-muted-fg hover:bg-muted hover:text-fg",
                            active && "bg-muted font-medium text-fg",
                          )}
                        >
                          <Icon className="h-4 w-4" aria-hidden />
                          {n.label}
                        </Link>
                      </li>
                    );
                  })}
              </ul>
            </div>
          ))}
        </nav>
        <div className="border-t border-border p-3">
          <div className="mb-2 min-w-0">
            <div className="truncate text-sm font-medium" title={user.email}>
              {user.name}
            </div>
            <div className="truncate text-xs text-muted-fg">{user.email}</div>
            <Badge className="mt-1.5" tone={user.role === "admin" ? "accent" : user.role === "auditor" ? "warn" : "neutral"} data-testid="persona">
              {ROLE_LABEL[user.role] ?? user.role}
            </Badge>
          </div>
          <div className="flex gap-1">
            <button
              type="button"
              onClick={() => setTheme(resolvedTheme === "dark" ? "light" : "dark")}
              className="flex h-8 w-8 items-center justify-center rounded-md text-muted-fg hover:bg-muted"
              aria-label="Toggle dark mode"
            >
              {mounted && resolvedTheme === "dark" ? <Sun className="h-4 w-4" /> : <Moon className="h-4 w-4" />}
            </button>
            <button type="button" onClick={signOut} className="flex h-8 flex-1 items-center justify-center gap-2 rounded-md text-sm text-muted-fg hover:bg-muted">
              <LogOut className="h-4 w-4" aria-hidden /> Sign out
            </button>
          </div>
        </div>
      </aside>
      <main id="main" className="min-w-0 flex-1 px-8 py-8">
        <div className="mx-auto max-w-7xl">{children}</div>
      </main>
    </div>
  );
}
