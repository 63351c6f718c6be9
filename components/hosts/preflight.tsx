"use client";
import { CheckCircle2, AlertTriangle, XCircle } from "lucide-react";
import { Card, CardHeader, EmptyState } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { timeAgo } from "@/lib/utils";

type Check = { id: string; title: string; status: "pass" | "warn" | "fail"; fatal: boolean; evidence: string; fix: string };

const ICON = { pass: CheckCircle2, warn: AlertTriangle, fail: XCircle };
const TONE = { pass: "text-ok", warn: "text-warn", fail: "text-danger" };

/** Pass/warn/fail counts of the agent's last preflight report, or null when it has sent none. */
export function preflightSummary(computePlugins: unknown): { counts: Record<Check["status"], number>; checks: Check[]; checkedAtMs: number } | null {
  const pf = (computePlugins as { preflight?: { checkedAtMs: number; checks: Check[] } } | null)?.preflight;
  if (!pf?.checks?.length) return null;
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of pf.checks) counts[c.status]++;
  return { counts, checks: pf.checks, checkedAtMs: pf.checkedAtMs };
}

/** The host's preflight checklist, as its agent last reported it. */
export function Preflight({ computePlugins }: { computePlugins: unknown }) {
  const pf = (computePlugins as { preflight?: { checkedAtMs: number; checks: Check[] } } | null)?.preflight;
  const checks = pf?.checks ?? [];
  const counts = { pass: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return (
    <Card>
      <CardHeader
        title="Host preflight"
        description={pf ? `What the agent checked ${timeAgo(new Date(pf.checkedAtMs))}: ${counts.pass} pass, ${counts.warn} warn, ${counts.fail} fail.` : undefined}
      />
      {checks.length === 0 ? (
        <EmptyState title="No preflight report from this agent yet.">The agent runs its checks at start and reports them on its Watch stream.</EmptyState>
      ) : (
        <ul className="divide-y divide-border">
          {checks.map((c) => {
            const Icon = ICON[c.status];
            return (
              <li key={c.id} className="flex gap-3 px-5 py-3">
                <Icon className={`mt-0.5 h-4 w-4 shrink-0 ${TONE[c.status]}`} aria-label={c.status} />
                <div className="min-w-0 text-sm">
                  <div className="font-medium">
                    {c.title} {c.fatal && c.status === "fail" ? <Badge tone="danger">blocks the agent</Badge> : null}
                  </div>
                  <div className="text-xs break-words text-muted-fg">{c.evidence}</div>
                  {c.status !== "pass" && c.fix ? <div className="mt-0.5 text-xs">Fix: {c.fix}</div> : null}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </Card>
  );
}
