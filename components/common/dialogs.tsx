"use client";
import * as React from "react";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { FormError } from "@/components/ui/query-state";

/**
 * A dialog whose body is a form. The body is unmounted when the dialog closes, so every opening
 * starts from fresh state (and a fresh mutation without a stale error).
 */
export function FormDialog({
  trigger,
  title,
  description,
  className,
  children,
}: {
  trigger: React.ReactElement;
  title: string;
  description?: string;
  className?: string;
  children: (close: () => void) => React.ReactNode;
}) {
  const [open, setOpen] = React.useState(false);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={description} className={className}>
        {children(() => setOpen(false))}
      </DialogContent>
    </Dialog>
  );
}

/** Cancel + submit row at the bottom of a dialog form. */
export function DialogActions({ pending, submitLabel, pendingLabel, variant = "default" }: { pending: boolean; submitLabel: string; pendingLabel?: string; variant?: "default" | "danger" }) {
  return (
    <div className="mt-2 flex justify-end gap-2 border-t border-border pt-4">
      <DialogClose asChild>
        <Button type="button" variant="secondary">
          Cancel
        </Button>
      </DialogClose>
      <Button type="submit" variant={variant} disabled={pending} aria-busy={pending || undefined}>
        {pending ? (pendingLabel ?? "Saving…") : submitLabel}
      </Button>
    </div>
  );
}

/** Asks before doing something that cannot be undone; shows the server's refusal if there is one. */
export function ConfirmDialog({
  trigger,
  title,
  description,
  confirmLabel,
  pendingLabel,
  onConfirm,
  children,
}: {
  trigger: React.ReactElement;
  title: string;
  description?: string;
  confirmLabel: string;
  pendingLabel?: string;
  onConfirm: () => Promise<unknown>;
  children?: React.ReactNode;
}) {
  const [open, setOpen] = React.useState(false);
  const [pending, setPending] = React.useState(false);
  const [error, setError] = React.useState<unknown>(null);
  async function confirm() {
    setPending(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (e) {
      setError(e);
    } finally {
      setPending(false);
    }
  }
  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) setError(null);
      }}
    >
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={description}>
        <div className="grid gap-4">
          {children ? <div className="text-sm text-muted-fg">{children}</div> : null}
          <FormError error={error} />
          <div className="flex justify-end gap-2 border-t border-border pt-4">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                Keep it
              </Button>
            </DialogClose>
            <Button type="button" variant="danger" onClick={confirm} disabled={pending} aria-busy={pending || undefined}>
              {pending ? (pendingLabel ?? "Working…") : confirmLabel}
            </Button>
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}
