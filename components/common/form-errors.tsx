"use client";
import { FormError, errorMessage } from "@/components/ui/query-state";

/** The tRPC error code ("NOT_FOUND", "FORBIDDEN", …) of a failed query or mutation, if any. */
export function errorCode(err: unknown): string | null {
  const code = (err as { data?: { code?: unknown } } | null)?.data?.code;
  return typeof code === "string" ? code : null;
}

/**
 * Splits a server message such as "name: must be at least 2 characters; gpus: must be 0–8" into
 * per-field messages (for fields the form shows) and the rest (shown with FormError).
 * `fields` maps a server path (or path prefix) to the form field it belongs to.
 */
export function splitErrors(err: unknown, fields: Record<string, string>, local: Record<string, string | undefined> = {}) {
  const byField: Record<string, string> = {};
  for (const [k, v] of Object.entries(local)) if (v) byField[k] = v;
  const rest: string[] = [];
  const msg = err ? errorMessage(err) : "";
  if (msg) {
    for (const part of msg.split("; ")) {
      const m = /^([A-Za-z_][\w.]*): (.+)$/s.exec(part);
      const path = m?.[1];
      const target = path ? Object.keys(fields).find((f) => path === f || path.startsWith(f + ".")) : undefined;
      if (m && target) {
        const field = fields[target]!;
        byField[field] = byField[field] ? `${byField[field]}; ${m[2]}` : m[2]!;
      } else rest.push(part);
    }
  }
  return {
    /** The message for one field, for <Field error={…}>. */
    field: (name: string): string | undefined => byField[name],
    /** Props that wire an input to its message. */
    aria: (name: string, id = name) => (byField[name] ? { "aria-invalid": true as const, "aria-describedby": `${id}-error` } : {}),
    rest: rest.length ? rest.join("; ") : null,
    any: Object.keys(byField).length > 0 || rest.length > 0,
  };
}

/** What the server said that does not belong to a single field; nothing when there is none. */
export function FormRest({ message }: { message: string | null }) {
  return message ? <FormError error={message} /> : null;
}
