"use client";
import * as React from "react";
import Link from "next/link";
import { ArrowLeft } from "lucide-react";
import { cn } from "@/lib/utils";
import { Card, EmptyState } from "@/components/ui/card";
import { QueryState } from "@/components/ui/query-state";
import { errorCode } from "./form-errors";

/** A label/value grid for summary cards. */
export function Details({ items, className }: { items: [React.ReactNode, React.ReactNode][]; className?: string }) {
  return (
    <dl className={cn("grid gap-x-8 gap-y-3 text-sm sm:grid-cols-2 lg:grid-cols-3", className)}>
      {items.map(([k, v], i) => (
        <div key={i} className="min-w-0">
          <dt className="text-xs font-medium tracking-wide text-muted-fg uppercase">{k}</dt>
          <dd className="mt-0.5 break-words">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** "← Back to …" link above a detail page. */
export function BackLink({ href, children }: { href: string; children: React.ReactNode }) {
  return (
    <Link href={href} className="mb-3 inline-flex items-center gap-1 rounded text-sm text-muted-fg hover:text-fg">
      <ArrowLeft className="h-3.5 w-3.5" aria-hidden /> {children}
    </Link>
  );
}

/** QueryState for a detail page: NOT_FOUND becomes a clear card with a way back instead of a red line. */
export function DetailState({
  isLoading,
  error,
  notFound,
  back,
  forceNotFound,
  children,
}: {
  forceNotFound?: boolean;
  isLoading: boolean;
  error: unknown;
  notFound: { title: string; body: React.ReactNode };
  back: React.ReactNode;
  children: React.ReactNode;
}) {
  if (forceNotFound || (!isLoading && errorCode(error) === "NOT_FOUND"))
    return (
      <Card role="alert">
        <EmptyState title={notFound.title} action={back}>
          {notFound.body}
        </EmptyState>
      </Card>
    );
  return (
    <QueryState isLoading={isLoading} error={error}>
      {children}
    </QueryState>
  );
}

/** A checkbox with its label to the right and an optional hint below. */
export function CheckboxField({
  id,
  label,
  hint,
  checked,
  onChange,
  disabled,
}: {
  id: string;
  label: React.ReactNode;
  hint?: React.ReactNode;
  checked: boolean;
  onChange: (v: boolean) => void;
  disabled?: boolean;
}) {
  return (
    <div className="flex items-start gap-2.5">
      <input
        id={id}
        type="checkbox"
        className="mt-0.5 h-4 w-4 shrink-0 accent-accent"
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <div className="grid gap-0.5">
        <label htmlFor={id} className="text-sm font-medium">
          {label}
        </label>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-muted-fg">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}

/** A row of radio buttons that looks like a segmented control (arrow keys move between options). */
export function Segmented<T extends string>({
  name,
  label,
  value,
  options,
  onChange,
}: {
  name: string;
  label: string;
  value: T;
  options: { value: T; label: string }[];
  onChange: (v: T) => void;
}) {
  return (
    <fieldset className="inline-flex items-center gap-2">
      <legend className="sr-only">{label}</legend>
      <div className="inline-flex rounded-md border border-border bg-card p-0.5">
        {options.map((o) => (
          <label
            key={o.value}
            className={cn(
              "cursor-pointer rounded px-3 py-1 text-sm text-muted-fg has-[:focus-visible]:outline-2 has-[:focus-visible]:outline-ring hover:text-fg",
              value === o.value && "bg-muted font-medium text-fg",
            )}
          >
            <input type="radio" className="sr-only" name={name} value={o.value} checked={value === o.value} onChange={() => onChange(o.value)} />
            {o.label}
          </label>
        ))}
      </div>
    </fieldset>
  );
}

/** Muted "—" for absent values. */
export function Dash() {
  return <span className="text-muted-fg">—</span>;
}

/** Muted text, e.g. "none" or "unlimited" in a table cell. */
export function Muted({ children, className }: { children: React.ReactNode; className?: string }) {
  return <span className={cn("text-muted-fg", className)}>{children}</span>;
}
