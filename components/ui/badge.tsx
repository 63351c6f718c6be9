import * as React from "react";
import { cva, type VariantProps } from "class-variance-authority";
import { cn } from "@/lib/utils";

const badgeVariants = cva("inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs font-medium whitespace-nowrap", {
  variants: {
    tone: {
      neutral: "border-border bg-muted text-muted-fg",
      ok: "border-ok/30 bg-ok/10 text-ok",
      warn: "border-warn/30 bg-warn/10 text-warn",
      danger: "border-danger/30 bg-danger/10 text-danger",
      accent: "border-accent/30 bg-accent/10 text-accent",
    },
  },
  defaultVariants: { tone: "neutral" },
});

export function Badge({ className, tone, ...props }: React.ComponentProps<"span"> & VariantProps<typeof badgeVariants>) {
  return <span data-slot="badge" className={cn(badgeVariants({ tone }), className)} {...props} />;
}

const STATUS_TONE: Record<string, VariantProps<typeof badgeVariants>["tone"]> = {
  RUNNING: "ok",
  ALIVE: "ok",
  ready: "ok",
  safe: "ok",
  success: "ok",
  PENDING: "warn",
  SCHEDULED: "accent",
  PREPARING: "accent",
  PULLING: "accent",
  PREPARED: "accent",
  CREATING: "accent",
  RESTARTING: "warn",
  TERMINATING: "warn",
  needs_vfio: "warn",
  LOST: "danger",
  ERROR: "danger",
  unsafe: "danger",
  unsafe_group: "danger",
  denied: "danger",
  error: "danger",
};

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? "neutral"}>{status.replace(/_/g, "-")}</Badge>;
}
