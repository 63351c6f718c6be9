import { formatBytes } from "@/lib/utils";

export const GiB = 1024 ** 3;

/** Backend.AI resource slots as stored in JSON columns: {cpu, mem (bytes), "cuda.device"}. */
export type Slots = { cpu?: number; mem?: number; "cuda.device"?: number };

export function asSlots(v: unknown): Slots {
  if (!v || typeof v !== "object" || Array.isArray(v)) return {};
  const o = v as Record<string, unknown>;
  const n = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : typeof x === "string" && x.trim() !== "" && Number.isFinite(Number(x)) ? Number(x) : undefined);
  return { cpu: n(o.cpu), mem: n(o.mem), "cuda.device": n(o["cuda.device"]) };
}

export function gpusOf(v: unknown): number {
  return asSlots(v)["cuda.device"] ?? 0;
}

/** "2 GPUs · 8 vCPU · 64 GiB"; missing slots are left out, or shown as `unlimited` when asked. */
export function formatSlots(v: unknown, opts: { missing?: string } = {}): string {
  const s = asSlots(v);
  const parts: string[] = [];
  const g = s["cuda.device"];
  if (g !== undefined) parts.push(`${g} GPU${g === 1 ? "" : "s"}`);
  else if (opts.missing) parts.push(`GPUs ${opts.missing}`);
  if (s.cpu !== undefined) parts.push(`${s.cpu} vCPU`);
  else if (opts.missing) parts.push(`vCPU ${opts.missing}`);
  if (s.mem !== undefined) parts.push(formatBytes(s.mem));
  else if (opts.missing) parts.push(`memory ${opts.missing}`);
  return parts.length ? parts.join(" · ") : "—";
}

/** 90 → "1m 30s", 86400 → "1d"; null → "unlimited". */
export function formatDuration(sec: number | null | undefined, none = "unlimited"): string {
  if (sec === null || sec === undefined) return none;
  if (sec === 0) return "0s";
  const units: [number, string][] = [
    [86400, "d"],
    [3600, "h"],
    [60, "m"],
    [1, "s"],
  ];
  const out: string[] = [];
  let rest = sec;
  for (const [n, u] of units) {
    if (rest >= n) {
      out.push(`${Math.floor(rest / n)}${u}`);
      rest %= n;
    }
    if (out.length === 2) break;
  }
  return out.join(" ");
}
