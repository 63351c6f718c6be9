"use client";
import { AlertTriangle, Loader2 } from "lucide-react";

export function errorMessage(err: unknown): string {
  if (!err) return "";
  const e = err as { message?: string };
  return e.message ?? String(err);
}

/** Loading and error states for a query, so every page reads the same way. */
export function QueryState({ isLoading, error, children }: { isLoading: boolean; error: unknown; children: React.ReactNode }) {
  if (isLoading)
    return (
      <div className="flex items-center gap-2 px-5 py-8 text-sm text-muted-fg" role="status">
        <Loader2 className="h-4 w-4 animate-spin" aria-hidden /> Loading…
      </div>
    );
  if (error)
    return (
      <div role="alert" className="flex items-start gap-2 px-5 py-6 text-sm text-danger">
        <AlertTriangle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden /> {errorMessage(error)}
      </div>
    );
  return <>{children}</>;
}

export function FormError({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p role="alert" className="rounded-md border border-danger/30 bg-danger/10 px-3 py-2 text-sm text-danger">
      {errorMessage(error)}
    </p>
  );
}
