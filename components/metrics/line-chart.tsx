"use client";
/**
 * A small SVG line chart: one <path> per series, min/max labels on the y axis, start/end time on the
 * x axis, and a hover tooltip with every series' value at the nearest point. Paths are built once
 * per data change (useMemo) and drawn in a fixed viewBox stretched to the box
 * (non-scaling strokes), so hovering re-renders only the cursor and the tooltip. The server
 * downsamples to ≤ 360 points per series, so 8 GPUs × 10 charts stay cheap.
 */
import * as React from "react";
import { cn } from "@/lib/utils";

export interface ChartSeries {
  key: string;
  label: string;
  color: string;
  /** One value per entry of `t`; null is a gap. */
  values: readonly (number | null)[];
}

const W = 600;
const H = 160;

function buildPath(t: readonly number[], values: readonly (number | null)[], x: (v: number) => number, y: (v: number) => number, gapMs: number): string {
  let d = "";
  let pen = false;
  for (let i = 0; i < t.length; i++) {
    const v = values[i];
    if (v === null || v === undefined || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    // A hole in the data (no scrape for a while) is drawn as a gap, not a straight line across it.
    if (pen && i > 0 && t[i]! - t[i - 1]! > gapMs) pen = false;
    d += `${pen ? "L" : "M"}${x(t[i]!).toFixed(1)} ${y(v).toFixed(1)}`;
    pen = true;
  }
  return d;
}

export function LineChart({
  title,
  t,
  series,
  format,
  yMin,
  yMax,
  fromMs,
  toMs,
  stepMs,
  className,
}: {
  title: string;
  /** Time of each point, epoch ms, ascending. */
  t: readonly number[];
  series: readonly ChartSeries[];
  format: (v: number) => string;
  /** Fixed bounds (e.g. 0–100 %); otherwise from the data. */
  yMin?: number;
  yMax?: number;
  fromMs: number;
  toMs: number;
  /** The bucket width; a gap of more than 3 buckets breaks the line. */
  stepMs: number;
  className?: string;
}) {
  const [hover, setHover] = React.useState<number | null>(null);
  const box = React.useRef<HTMLDivElement>(null);

  const geom = React.useMemo(() => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const s of series)
      for (const v of s.values) {
        if (v === null || !Number.isFinite(v)) continue;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    const dataLo = lo;
    const dataHi = hi;
    if (yMin !== undefined) lo = Math.min(yMin, lo);
    if (yMax !== undefined) hi = Math.max(yMax, hi);
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      lo = yMin ?? 0;
      hi = yMax ?? 1;
    }
    if (hi - lo < 1e-9) {
      hi = lo === 0 ? 1 : hi + Math.abs(hi) * 0.05;
      lo = yMin ?? lo - Math.abs(lo) * 0.05;
    }
    const span = toMs - fromMs || 1;
    const x = (v: number) => ((v - fromMs) / span) * W;
    const y = (v: number) => H - 4 - ((v - lo) / (hi - lo)) * (H - 8);
    const gap = Math.max(stepMs * 3, 20_000);
    return { lo, hi, dataLo, dataHi, paths: series.map((s) => ({ key: s.key, color: s.color, d: buildPath(t, s.values, x, y, gap) })), x };
  }, [t, series, yMin, yMax, fromMs, toMs, stepMs]);

  const onMove = (e: React.MouseEvent) => {
    const el = box.current;
    if (!el || t.length === 0) return;
    const r = el.getBoundingClientRect();
    const at = fromMs + ((e.clientX - r.left) / r.width) * (toMs - fromMs);
    // Binary search for the nearest point.
    let a = 0;
    let b = t.length - 1;
    while (a < b) {
      const m = (a + b) >> 1;
      if (t[m]! < at) a = m + 1;
      else b = m;
    }
    const i = a > 0 && Math.abs(t[a - 1]! - at) < Math.abs(t[a]! - at) ? a - 1 : a;
    setHover(i);
  };

  const hx = hover !== null && t[hover] !== undefined ? (geom.x(t[hover]!) / W) * 100 : null;
  const empty = geom.paths.every((p) => p.d === "");
  const latest = series.map((s) => {
    for (let i = s.values.length - 1; i >= 0; i--) if (s.values[i] !== null) return s.values[i]!;
    return null;
  });
  const showLatest = series.length <= 2;

  return (
    <figure className={cn("min-w-0", className)}>
      <figcaption className="mb-1 flex items-baseline justify-between gap-2 text-xs">
        <span className="font-medium text-fg">{title}</span>
        {showLatest && !empty ? (
          <span className="tabular-nums text-muted-fg">
            {series.map((s, i) => (latest[i] === null ? null : <span key={s.key} className="ml-2">{series.length > 1 ? `${s.label} ` : "now "}<span className="font-medium text-fg">{format(latest[i]!)}</span></span>))}
          </span>
        ) : null}
      </figcaption>
      <div className="flex gap-1.5">
        <div className="flex w-14 shrink-0 flex-col justify-between py-0.5 text-right text-[10px] leading-none tabular-nums text-muted-fg" aria-hidden>
          <span title="highest value shown">{format(geom.hi)}</span>
          <span title="lowest value shown">{format(geom.lo)}</span>
        </div>
        <div
          ref={box}
          className="relative h-32 min-w-0 flex-1 rounded border border-border bg-muted/30"
          onMouseMove={onMove}
          onMouseLeave={() => setHover(null)}
          role="img"
          aria-label={`${title}: ${empty ? "no data" : `from ${format(geom.dataLo)} to ${format(geom.dataHi)}`}`}
        >
          <svg viewBox={`0 0 ${W} ${H}`} preserveAspectRatio="none" className="absolute inset-0 h-full w-full overflow-visible">
            <line x1={0} x2={W} y1={H / 2} y2={H / 2} stroke="currentColor" className="text-border" strokeDasharray="3 4" vectorEffect="non-scaling-stroke" />
            {geom.paths.map((p) => (p.d ? <path key={p.key} d={p.d} fill="none" stroke={p.color} strokeWidth={1.5} strokeLinejoin="round" vectorEffect="non-scaling-stroke" /> : null))}
          </svg>
          {empty ? <div className="absolute inset-0 flex items-center justify-center text-xs text-muted-fg">no data in this range</div> : null}
          {hx !== null && hover !== null ? (
            <>
              <div className="pointer-events-none absolute top-0 bottom-0 w-px bg-fg/40" style={{ left: `${hx}%` }} />
              <div
                className="pointer-events-none absolute top-1 z-10 min-w-36 rounded-md border border-border bg-card px-2 py-1.5 text-xs shadow-md"
                style={hx > 55 ? { right: `${100 - hx + 1}%` } : { left: `${hx + 1}%` }}
                role="tooltip"
              >
                <div className="mb-1 text-muted-fg tabular-nums">{new Date(t[hover]!).toLocaleTimeString()}</div>
                {series.map((s) => {
                  const v = s.values[hover];
                  return (
                    <div key={s.key} className="flex items-center justify-between gap-3 tabular-nums">
                      <span className="inline-flex items-center gap-1.5">
                        <span className="h-2 w-2 rounded-full" style={{ background: s.color }} aria-hidden />
                        {s.label}
                      </span>
                      <span className="font-medium">{v === null || v === undefined ? "—" : format(v)}</span>
                    </div>
                  );
                })}
              </div>
            </>
          ) : null}
        </div>
      </div>
      <div className="mt-0.5 ml-[3.875rem] flex justify-between text-[10px] text-muted-fg tabular-nums" aria-hidden>
        <span>{new Date(fromMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>
        <span>{new Date(toMs).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}</span>
      </div>
    </figure>
  );
}
