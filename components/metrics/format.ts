/** Number formats for GPU metrics. */
export const GPU_COLORS = ["#6366f1", "#10b981", "#f59e0b", "#ef4444", "#06b6d4", "#a855f7", "#84cc16", "#ec4899"];

export const fmtPct = (v: number) => `${Math.round(v)} %`;
export const fmtC = (v: number) => `${Math.round(v)} °C`;
export const fmtW = (v: number) => `${Math.round(v)} W`;
export const fmtMHz = (v: number) => `${Math.round(v)} MHz`;
/** MiB → GiB with one decimal. */
export const fmtMiB = (v: number) => (v === 0 ? "0 GiB" : `${(v / 1024).toFixed(v >= 10240 ? 0 : 1)} GiB`);

export function fmtRate(bytesPerSec: number): string {
  const units = ["B/s", "kB/s", "MB/s", "GB/s", "TB/s"];
  let v = bytesPerSec;
  let i = 0;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

export const orDash = (v: number | null | undefined, f: (v: number) => string) => (v === null || v === undefined ? "—" : f(v));
