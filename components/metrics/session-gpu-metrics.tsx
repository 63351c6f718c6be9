"use client";
/**
 * The "GPU metrics" card of a session: per metric a chart with one line per GPU (utilisation,
 * memory, temperature, power, SM and memory clocks, NVLink and PCIe traffic each way) over a
 * selectable range, refreshed every 5 s while the session runs; the GPUs' current values; and the
 * session's GPU alerts.
 */
import * as React from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { Segmented } from "@/components/common/bits";
import { timeAgo } from "@/lib/utils";
import { LineChart, type ChartSeries } from "./line-chart";
import { GPU_COLORS, fmtC, fmtMHz, fmtMiB, fmtPct, fmtRate, fmtW, orDash } from "./format";
import { AlertsTable } from "./alerts-table";

type Range = "15m" | "1h" | "6h" | "24h";
type Field = "util" | "fbUsed" | "temp" | "power" | "smClock" | "memClock" | "nvlinkTx" | "nvlinkRx" | "pcieTx" | "pcieRx";

const CHARTS: { field: Field; title: string; format: (v: number) => string; yMin?: number; yMax?: number }[] = [
  { field: "util", title: "GPU utilization", format: fmtPct, yMin: 0, yMax: 100 },
  { field: "fbUsed", title: "Memory used", format: fmtMiB, yMin: 0 },
  { field: "temp", title: "Temperature", format: fmtC },
  { field: "power", title: "Power draw", format: fmtW, yMin: 0 },
  { field: "smClock", title: "SM clock", format: fmtMHz, yMin: 0 },
  { field: "memClock", title: "Memory clock", format: fmtMHz, yMin: 0 },
  { field: "nvlinkTx", title: "NVLink transmit", format: fmtRate, yMin: 0 },
  { field: "nvlinkRx", title: "NVLink receive", format: fmtRate, yMin: 0 },
  { field: "pcieTx", title: "PCIe transmit", format: fmtRate, yMin: 0 },
  { field: "pcieRx", title: "PCIe receive", format: fmtRate, yMin: 0 },
];

const RUNNING = ["RUNNING", "RUNNING_DEGRADED"];

export function SessionGpuMetrics({ sessionId, status }: { sessionId: string; status: string }) {
  const trpc = useTRPC();
  const [range, setRange] = React.useState<Range>("15m");
  const live = RUNNING.includes(status);
  const q = useQuery(trpc.metrics.session.queryOptions({ sessionId, range }, { refetchInterval: live ? 5_000 : false, placeholderData: (prev) => prev }));
  const alerts = useQuery(trpc.metrics.alerts.queryOptions({ sessionId, limit: 20 }, { refetchInterval: live ? 5_000 : false }));
  const [hidden, setHidden] = React.useState<Set<string>>(() => new Set());
  const data = q.data;

  // One time axis for all GPUs (the server buckets every GPU on the same grid), values aligned to it.
  const aligned = React.useMemo(() => {
    if (!data) return null;
    const times = [...new Set(data.gpus.flatMap((g) => g.points.map((p) => p.t)))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    const gpus = data.gpus.map((g, gi) => {
      const cols = Object.fromEntries(CHARTS.map((c) => [c.field, new Array<number | null>(times.length).fill(null)])) as Record<Field, (number | null)[]>;
      for (const p of g.points) {
        const i = at.get(p.t)!;
        for (const c of CHARTS) cols[c.field][i] = p[c.field];
      }
      return { key: g.key, label: `GPU ${g.index}`, color: GPU_COLORS[gi % GPU_COLORS.length]!, cols, last: g.points.at(-1) ?? null, gpu: g };
    });
    return { times, gpus };
  }, [data]);

  const charts = React.useMemo(() => {
    if (!aligned) return [];
    const shown = aligned.gpus.filter((g) => !hidden.has(g.key));
    return CHARTS.map((c) => ({ ...c, series: shown.map((g): ChartSeries => ({ key: g.key, label: g.label, color: g.color, values: g.cols[c.field] })) }));
  }, [aligned, hidden]);

  const toggle = (key: string) =>
    setHidden((h) => {
      const n = new Set(h);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });

  const lastAt = data?.lastSampleMs ?? null;
  // A session younger than the range: start the time axis shortly before its first sample, so its
  // lines are not squeezed against the right edge.
  const first = aligned?.times[0];
  const fromMs = data ? (first !== undefined ? Math.max(data.fromMs, first - Math.max(30_000, (data.toMs - first) * 0.05)) : data.fromMs) : 0;
  return (
    <Card>
      <CardHeader
        title="GPU metrics"
        description={
          <>
            From the DCGM exporter inside the VM, scraped by the host agent{live ? "; refreshed every 5 s" : ""}.{" "}
            {lastAt ? <span title={new Date(lastAt).toLocaleString()}>Last sample {timeAgo(new Date(lastAt))}.</span> : null}
          </>
        }
        actions={<Segmented name="metrics-range" label="Time range" value={range} onChange={setRange} options={[{ value: "15m", label: "15 min" }, { value: "1h", label: "1 h" }, { value: "6h", label: "6 h" }, { value: "24h", label: "24 h" }]} />}
      />
      <QueryState isLoading={q.isLoading} error={q.error}>
        {!data || data.gpus.length === 0 ? (
          <CardBody>
            <p className="text-sm text-muted-fg">
              {live
                ? "Waiting for the first scrape of the DCGM exporter inside the VM (every 15 s by default, 5 s on simulated hosts)."
                : "No GPU samples in this range. Metrics are collected while the session is RUNNING; raw samples are kept 1 hour and 1-minute averages 24 hours."}
            </p>
          </CardBody>
        ) : (
          <>
            <Table>
              <caption className="sr-only">Current values per GPU</caption>
              <thead>
                <tr>
                  <Th>GPU</Th>
                  <Th>PCI address · UUID</Th>
                  <Th className="text-right">Util.</Th>
                  <Th className="text-right">Memory</Th>
                  <Th className="text-right">Temp.</Th>
                  <Th className="text-right">Power</Th>
                  <Th className="text-right">SM clock</Th>
                  <Th>Last Xid</Th>
                </tr>
              </thead>
              <tbody>
                {aligned!.gpus.map((g) => {
                  const p = g.last;
                  const off = hidden.has(g.key);
                  return (
                    <Tr key={g.key}>
                      <Td>
                        <button
                          type="button"
                          onClick={() => toggle(g.key)}
                          aria-pressed={!off}
                          title={off ? "Show this GPU in the charts" : "Hide this GPU from the charts"}
                          className={`inline-flex items-center gap-1.5 rounded px-1 font-medium hover:bg-muted ${off ? "text-muted-fg line-through" : ""}`}
                        >
                          <span className="h-2.5 w-2.5 rounded-full" style={{ background: off ? "transparent" : g.color, border: `2px solid ${g.color}` }} aria-hidden />
                          {g.label}
                        </button>
                        {data.gpus.length > 0 && new Set(data.gpus.map((x) => x.agentId)).size > 1 ? <div className="text-xs text-muted-fg">{g.gpu.agentId}</div> : null}
                      </Td>
                      <Td className="font-mono text-xs">
                        {g.gpu.pciAddress}
                        <div className="text-muted-fg">{g.gpu.uuid ?? "no UUID reported"}</div>
                      </Td>
                      <Td className="text-right tabular-nums">{orDash(p?.util, fmtPct)}</Td>
                      <Td className="text-right tabular-nums">
                        {orDash(p?.fbUsed, fmtMiB)}
                        {p?.fbUsed != null && p.fbFree != null ? <span className="text-muted-fg"> / {fmtMiB(p.fbUsed + p.fbFree)}</span> : null}
                      </Td>
                      <Td className="text-right tabular-nums">{orDash(p?.temp, fmtC)}</Td>
                      <Td className="text-right tabular-nums">{orDash(p?.power, fmtW)}</Td>
                      <Td className="text-right tabular-nums">{orDash(p?.smClock, fmtMHz)}</Td>
                      <Td>{p?.xid ? <Badge tone="danger">Xid {p.xid}</Badge> : <span className="text-muted-fg">none</span>}</Td>
                    </Tr>
                  );
                })}
              </tbody>
            </Table>
            <CardBody className="grid gap-x-6 gap-y-5 md:grid-cols-2">
              {charts.map((c) => (
                <LineChart
                  key={c.field}
                  title={c.title}
                  t={aligned!.times}
                  series={c.series}
                  format={c.format}
                  yMin={c.yMin}
                  yMax={c.yMax}
                  fromMs={fromMs}
                  toMs={data.toMs}
                  stepMs={data.stepSec * 1000}
                />
              ))}
              <p className="text-xs text-muted-fg md:col-span-2">
                Each line is one GPU (click a GPU above to hide or show it). {data.stepSec > 1 ? `Points are ${data.stepSec >= 60 ? `${Math.round(data.stepSec / 60)}-minute` : `${data.stepSec}-second`} averages. ` : ""}
                Hover a chart for the values at a moment.
              </p>
            </CardBody>
          </>
        )}
      </QueryState>
      {alerts.data && alerts.data.length > 0 ? (
        <div className="border-t border-border">
          <div className="px-5 pt-4 pb-2 text-sm font-semibold">GPU alerts</div>
          <AlertsTable alerts={alerts.data} showSession={false} />
        </div>
      ) : null}
    </Card>
  );
}
