"use client";
import { useId, useMemo, useState } from "react";
import { EmptyState } from "@/components/ui/card";
import { cn } from "@/lib/utils";
import { PASSTHROUGH_LABEL, describeClass, vendorName } from "./labels";

/** One PCI function as hosts.get returns it. */
export type TopologyPciDevice = {
  address: string;
  vendorId: string;
  deviceId: string;
  classCode: string;
  driver: string | null;
  numaNode: number | null;
  parentAddress: string | null;
  iommuGroup: { number: number } | null;
};
export type TopologyGpu = {
  pciAddress: string;
  model: string;
  driver: string | null;
  passthrough: string;
  reasons: string[];
  quarantined: boolean;
  iommuGroupNumber: number | null;
};
export type TopologyIommuGroup = { number: number; verdict: string; reasons: string[] };

type Kind = "root" | "bridge" | "gpu" | "nvswitch" | "nic" | "other";

type TNode = {
  id: string;
  kind: Kind;
  /** root: host bridges on the bus; bridge: the chain, upstream first; device: the slot's functions. */
  functions: TopologyPciDevice[];
  children: TNode[];
  /** Endpoint functions below this node that the graph leaves out. */
  hidden: TopologyPciDevice[];
  /** Switch downstream ports folded into this device (each led to nothing else). */
  via: TopologyPciDevice[];
  numa: number | null;
  /** True when the chain starts at a bridge with no parent (a root port). */
  rootPort: boolean;
  /** True when the last bridge of the chain fans out to several bridges (a switch's upstream port). */
  switchUp: boolean;
  gpu?: TopologyGpu;
  label: string;
  depth: number;
  x: number;
  y: number;
  w: number;
};

const isBridgeClass = (c: string) => c.startsWith("0604") || c.startsWith("0609");
const isNvidiaGpu = (f: TopologyPciDevice) => f.vendorId.toLowerCase() === "10de" && (f.classCode.startsWith("0300") || f.classCode.startsWith("0302"));
const isNvSwitch = (f: TopologyPciDevice) => f.vendorId.toLowerCase() === "10de" && f.classCode.startsWith("0680");
const isNic = (f: TopologyPciDevice) => f.classCode.startsWith("02");
const busOf = (address: string) => address.slice(0, address.lastIndexOf(":"));
const slotOf = (address: string) => address.slice(0, address.lastIndexOf("."));
/** "19:00.0" for "0000:19:00.0"; other PCI domains keep their prefix. */
export const shortAddress = (a: string) => (a.startsWith("0000:") ? a.slice(5) : a);

// NUMA colours: mid tones that read on both the light and the dark card, away from the ok/warn/danger hues.
const NUMA_COLORS = ["#3b82f6", "#a855f7", "#06b6d4", "#ec4899", "#84cc16", "#f97316", "#14b8a6", "#6366f1"];
const numaColor = (n: number | null) => (n === null ? "var(--muted-fg)" : NUMA_COLORS[n % NUMA_COLORS.length]!);
const numaName = (n: number | null) => (n === null ? "NUMA unknown" : `NUMA node ${n}`);

const PASS_TONE: Record<string, "ok" | "warn" | "danger"> = { ready: "ok", needs_vfio: "warn", unsafe_group: "danger", no_iommu: "danger" };
const TONE_CLASSES = {
  ok: { pill: "fill-ok/10 stroke-ok/40", text: "fill-ok" },
  warn: { pill: "fill-warn/10 stroke-warn/40", text: "fill-warn" },
  danger: { pill: "fill-danger/10 stroke-danger/40", text: "fill-danger" },
  neutral: { pill: "fill-muted stroke-border", text: "fill-muted-fg" },
};
const SHORT_PASS: Record<string, string> = { ready: "ready", needs_vfio: "needs vfio", unsafe_group: "unsafe group", no_iommu: "no IOMMU" };

// Layout, in px. Widths are chosen so two NUMA lanes fit side by side in the page at 1440 px.
const NODE_H = 40;
const ROW = 50;
const SUBTREE_GAP = 14;
const COL_GAP = 20;
const W = { root: 100, bridge: 172, device: 228 };
const LANE_GAP = 24;
const LANE_HEAD = 30;

const KIND_WORD: Record<Kind, string> = { root: "Root bus", bridge: "Bridge", gpu: "GPU", nvswitch: "NVSwitch", nic: "NIC", other: "Device" };

function mostCommon(values: (number | null)[]): number | null {
  const counts = new Map<number, number>();
  for (const v of values) if (v !== null && v !== undefined) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  let bestN = 0;
  for (const [v, n] of counts) if (n > bestN || (n === bestN && best !== null && v < best)) [best, bestN] = [v, n];
  return best;
}

function endpointsOf(n: TNode): TopologyPciDevice[] {
  if (n.kind === "root" || n.kind === "bridge") return [...n.hidden, ...n.children.flatMap(endpointsOf)];
  return [...n.functions, ...n.hidden];
}

type Built = { roots: TNode[]; hiddenCount: number; total: number };

/** Builds the PCI tree from parentAddress chains, hides what carries no GPU/NVSwitch/NIC, and folds plain bridge chains. */
function buildTree(devices: TopologyPciDevice[], gpus: TopologyGpu[], showAll: boolean): Built {
  const byAddr = new Map(devices.map((d) => [d.address, d]));
  const gpuByAddr = new Map(gpus.map((g) => [g.pciAddress, g]));
  const childrenOf = new Map<string, TopologyPciDevice[]>();
  const rootBuses = new Map<string, TopologyPciDevice[]>();
  for (const d of devices) {
    const parent = d.parentAddress && d.parentAddress !== d.address && byAddr.has(d.parentAddress) ? d.parentAddress : null;
    if (parent) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), d]);
    else rootBuses.set(busOf(d.address), [...(rootBuses.get(busOf(d.address)) ?? []), d]);
  }
  const isBridge = (d: TopologyPciDevice) => isBridgeClass(d.classCode) || childrenOf.has(d.address);
  const seen = new Set<string>();
  const blank = (id: string, kind: Kind, functions: TopologyPciDevice[]): TNode => ({
    id,
    kind,
    functions,
    children: [],
    hidden: [],
    via: [],
    numa: mostCommon(functions.map((f) => f.numaNode)),
    rootPort: false,
    switchUp: false,
    label: "",
    depth: 0,
    x: 0,
    y: 0,
    w: 0,
  });

  const deviceNode = (fns: TopologyPciDevice[]): TNode => {
    const gpuFn = fns.find((f) => gpuByAddr.has(f.address)) ?? fns.find(isNvidiaGpu);
    const kind: Kind = gpuFn ? "gpu" : fns.some(isNvSwitch) ? "nvswitch" : fns.some(isNic) ? "nic" : "other";
    const n = blank(fns[0]!.address, kind, fns);
    if (gpuFn) n.gpu = gpuByAddr.get(gpuFn.address);
    return n;
  };

  const childNodes = (list: TopologyPciDevice[]): TNode[] => {
    const out: TNode[] = [];
    const slots = new Map<string, TopologyPciDevice[]>();
    for (const d of list) {
      if (seen.has(d.address)) continue;
      if (isBridge(d)) out.push(bridgeNode(d));
      else slots.set(slotOf(d.address), [...(slots.get(slotOf(d.address)) ?? []), d]);
    }
    for (const fns of slots.values()) {
      fns.forEach((f) => seen.add(f.address));
      out.push(deviceNode(fns));
    }
    return out.sort((a, b) => a.id.localeCompare(b.id));
  };

  const bridgeNode = (d: TopologyPciDevice): TNode => {
    seen.add(d.address);
    const n = blank(d.address, "bridge", [d]);
    const kids = childrenOf.get(d.address) ?? [];
    n.rootPort = !(d.parentAddress && byAddr.has(d.parentAddress));
    n.switchUp = kids.filter(isBridge).length >= 2;
    n.children = childNodes(kids);
    return n;
  };

  const roots: TNode[] = [];
  for (const [bus, list] of [...rootBuses].sort(([a], [b]) => a.localeCompare(b))) {
    const hostBridges = list.filter((d) => d.classCode.startsWith("0600"));
    const r = blank(`root:${bus}`, "root", hostBridges);
    r.children = childNodes(list.filter((d) => !d.classCode.startsWith("0600")));
    r.numa = mostCommon([...list, ...r.children.flatMap(endpointsOf)].map((f) => f.numaNode));
    roots.push(r);
  }

  // Hide subtrees without a GPU, NVSwitch or NIC; their endpoints are counted on the nearest node kept.
  const prune = (n: TNode): boolean => {
    if (n.kind !== "root" && n.kind !== "bridge") return showAll || n.kind !== "other";
    const kept: TNode[] = [];
    for (const c of n.children) {
      if (prune(c)) kept.push(c);
      else n.hidden.push(...endpointsOf(c));
    }
    n.children = kept;
    return showAll || kept.length > 0;
  };
  // Merge single-child bridge chains; fold a switch's downstream port into the one device behind it.
  const collapse = (n: TNode): TNode => {
    n.children = n.children.map(collapse);
    if (n.kind !== "bridge") return n;
    while (n.children.length === 1 && n.children[0]!.kind === "bridge") {
      const c = n.children[0]!;
      n.functions = [...n.functions, ...c.functions];
      n.children = c.children;
      n.hidden = [...n.hidden, ...c.hidden];
      n.switchUp = c.switchUp;
    }
    if (n.children.length === 1 && !n.rootPort && n.hidden.length === 0) {
      const c = n.children[0]!;
      if (c.kind !== "root" && c.kind !== "bridge") {
        c.via = [...n.functions, ...c.via];
        return c;
      }
    }
    return n;
  };

  const kept = roots.filter(prune).map(collapse);
  const countShown = (n: TNode): number => n.functions.length + n.via.length + n.children.reduce((s, c) => s + countShown(c), 0);
  const hiddenCount = devices.length - kept.reduce((s, r) => s + countShown(r), 0);
  return { roots: kept, hiddenCount, total: devices.length };
}

function bridgeTitle(n: TNode): { kind: string; line2: string } {
  const last = n.functions[n.functions.length - 1]!;
  const first = n.functions[0]!;
  const kind = n.switchUp ? "Switch" : n.rootPort && n.functions.length === 1 ? "Root port" : "Bridge";
  const vendor = vendorName(last.vendorId).split("/")[0]!;
  return { kind, line2: n.rootPort && n.functions.length > 1 ? `port ${shortAddress(first.address)} · ${vendor}` : vendor };
}

function deviceLine2(n: TNode): string {
  const main = n.functions.find((f) => f.address === n.gpu?.pciAddress) ?? n.functions[0]!;
  if (n.kind === "gpu") return [n.gpu?.model.replace(/^NVIDIA /, "").replace(/ Generation$/, "") ?? `${vendorName(main.vendorId)} ${main.deviceId}`, main.driver ?? "no driver"].join(" · ");
  const what = n.kind === "nic" ? (main.classCode.startsWith("0207") ? "InfiniBand" : "Ethernet") : n.kind === "nvswitch" ? "" : describeClass(main.classCode);
  const fns = n.functions.length > 1 ? `${n.functions.length} fns` : (main.driver ?? "no driver");
  return [`${vendorName(main.vendorId)}${what ? ` ${what}` : ""}`, fns].join(" · ");
}

function tooltip(n: TNode, groups: Map<number, TopologyIommuGroup>): string {
  const lines: string[] = [];
  if (n.kind === "root") {
    lines.push(`Root bus ${n.id.slice(5)} · ${numaName(n.numa)}`);
    for (const f of n.functions) lines.push(`${f.address} ${vendorName(f.vendorId)} ${describeClass(f.classCode)}`);
  } else {
    for (const f of n.functions) {
      const g = f.iommuGroup ? ` · IOMMU group ${f.iommuGroup.number}` : "";
      lines.push(`${f.address} ${vendorName(f.vendorId)} ${f.vendorId}:${f.deviceId} ${describeClass(f.classCode)} · ${f.driver ? `driver ${f.driver}` : "no driver"}${g}`);
    }
    lines.push(numaName(n.numa));
  }
  if (n.via.length) lines.push(`Behind downstream port ${n.via.map((f) => f.address).join(" → ")}`);
  if (n.gpu) {
    lines.push(`Passthrough: ${PASSTHROUGH_LABEL[n.gpu.passthrough] ?? n.gpu.passthrough}${n.gpu.quarantined ? " · quarantined" : ""}`);
    for (const r of n.gpu.reasons) lines.push(`  – ${r}`);
    const grp = n.gpu.iommuGroupNumber !== null ? groups.get(n.gpu.iommuGroupNumber) : undefined;
    if (grp && grp.verdict !== "safe") for (const r of grp.reasons) lines.push(`  – group ${grp.number}: ${r}`);
  }
  if (n.hidden.length) {
    const kinds = [...new Set(n.hidden.map((f) => describeClass(f.classCode)))];
    lines.push(`${n.hidden.length} other function${n.hidden.length === 1 ? "" : "s"} hidden below: ${kinds.join(", ")}`);
  }
  return lines.join("\n");
}

/** Rough text width for truncation; SVG text does not wrap or clip by itself. */
function fit(text: string, px: number, charW: number): string {
  const max = Math.floor(px / charW);
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

type Lane = { numa: number | null; roots: TNode[]; x: number; w: number; h: number; gpus: number; nics: number; nvswitches: number };

function layout(roots: TNode[]): { lanes: Lane[]; nodes: TNode[]; edges: [TNode, TNode][]; width: number; height: number } {
  const byNuma = new Map<number | null, TNode[]>();
  for (const r of roots) byNuma.set(r.numa, [...(byNuma.get(r.numa) ?? []), r]);
  const order = [...byNuma.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : a - b));
  const colX = (depth: number) => (depth === 0 ? 0 : W.root + COL_GAP + (depth - 1) * (W.bridge + COL_GAP));
  const nodes: TNode[] = [];
  const edges: [TNode, TNode][] = [];
  const lanes: Lane[] = [];
  let laneX = 0;
  for (const numa of order) {
    const lane: Lane = { numa, roots: byNuma.get(numa)!, x: laneX, w: 0, h: 0, gpus: 0, nics: 0, nvswitches: 0 };
    let cursor = LANE_HEAD;
    const place = (n: TNode, depth: number): number => {
      n.depth = depth;
      n.w = n.kind === "root" ? W.root : n.kind === "bridge" ? W.bridge : W.device;
      n.x = laneX + colX(depth);
      lane.w = Math.max(lane.w, colX(depth) + n.w);
      nodes.push(n);
      if (n.kind === "gpu") lane.gpus++;
      if (n.kind === "nic") lane.nics++;
      if (n.kind === "nvswitch") lane.nvswitches++;
      if (n.children.length === 0) {
        n.y = cursor;
        cursor += ROW;
      } else {
        const ys = n.children.map((c) => {
          edges.push([n, c]);
          return place(c, depth + 1);
        });
        n.y = (ys[0]! + ys[ys.length - 1]!) / 2;
      }
      return n.y;
    };
    lane.roots.forEach((r, i) => {
      if (i > 0) cursor += SUBTREE_GAP;
      place(r, 0);
    });
    lane.h = cursor - (ROW - NODE_H);
    lanes.push(lane);
    laneX += lane.w + LANE_GAP;
  }
  return { lanes, nodes, edges, width: Math.max(0, laneX - LANE_GAP), height: Math.max(0, ...lanes.map((l) => l.h)) };
}

function Pill({ x, y, text, tone, title }: { x: number; y: number; text: string; tone: keyof typeof TONE_CLASSES; title?: string }) {
  const w = text.length * 5.9 + 12;
  return (
    <g transform={`translate(${x - w},${y})`}>
      {title ? <title>{title}</title> : null}
      <rect width={w} height={15} rx={7.5} className={TONE_CLASSES[tone].pill} />
      <text x={w / 2} y={11} textAnchor="middle" className={cn("text-[10px] font-medium", TONE_CLASSES[tone].text)}>
        {text}
      </text>
    </g>
  );
}

function NodeBox({ n, groups, gpuGroups }: { n: TNode; groups: Map<number, TopologyIommuGroup>; gpuGroups: Set<number> }) {
  const color = numaColor(n.numa);
  const addr = n.kind === "root" ? n.id.slice(5) : shortAddress(n.functions[n.kind === "bridge" ? n.functions.length - 1 : 0]!.address);
  let kind = KIND_WORD[n.kind];
  let line2 = "";
  if (n.kind === "root") line2 = "root complex";
  else if (n.kind === "bridge") ({ kind, line2 } = bridgeTitle(n));
  else line2 = deviceLine2(n);
  if (n.kind === "other") kind = describeClass(n.functions[0]!.classCode).replace(/^./, (c) => c.toUpperCase());
  const grpNumbers = [...new Set(n.functions.map((f) => f.iommuGroup?.number).filter((g): g is number => g !== undefined && gpuGroups.has(g)))];
  const grp = grpNumbers.length ? groups.get(grpNumbers[0]!) : undefined;
  const pass = n.gpu?.passthrough;
  const isGpu = n.kind === "gpu";
  const rightPill = isGpu && pass ? (SHORT_PASS[pass] ?? pass) + (n.gpu?.quarantined ? " · q" : "") : n.hidden.length ? `+${n.hidden.length}` : null;
  const grpText = grp ? `grp ${grp.number}` : null;
  const line1Room = n.w - 16 - (rightPill ? rightPill.length * 5.9 + 18 : 0);
  const line2Room = n.w - 16 - (grpText ? grpText.length * 5.9 + 18 : 0);
  const kindText = n.kind === "other" ? fit(kind, line1Room - addr.length * 6.7 - 6, 6.6) : kind;
  return (
    <g transform={`translate(${n.x},${n.y})`} data-kind={n.kind}>
      <title>{tooltip(n, groups)}</title>
      <rect width={n.w} height={NODE_H} rx={6} className="fill-card" stroke={color} strokeWidth={isGpu ? 1.75 : 1} strokeOpacity={isGpu ? 1 : 0.7} />
      <rect width={n.w} height={NODE_H} rx={6} fill={color} fillOpacity={isGpu ? 0.12 : 0.06} />
      <path d={`M6,0.5 H5 A4.5,4.5 0 0 0 0.5,5 V${NODE_H - 5} A4.5,4.5 0 0 0 5,${NODE_H - 0.5} H6 Z`} fill={color} />
      <text x={12} y={16} className={cn("fill-fg text-[12px]", isGpu || n.kind === "root" ? "font-semibold" : "font-medium")}>
        {n.kind === "root" ? (
          <tspan className="font-mono">{addr}</tspan>
        ) : (
          <>
            {kindText} <tspan className="font-mono text-[11px] font-normal">{fit(addr, line1Room - kindText.length * 7, 6.7)}</tspan>
          </>
        )}
      </text>
      <text x={12} y={31} className="fill-muted-fg text-[11px]">
        {fit(line2, line2Room - 4, 5.9)}
      </text>
      {rightPill ? (
        <Pill
          x={n.w - 7}
          y={5}
          text={rightPill}
          tone={isGpu && pass ? (PASS_TONE[pass] ?? "neutral") : "neutral"}
          title={isGpu ? undefined : `${n.hidden.length} other function${n.hidden.length === 1 ? "" : "s"} below this ${n.kind === "root" ? "root bus" : "bridge"} hidden`}
        />
      ) : null}
      {grp && grpText ? <Pill x={n.w - 7} y={21} text={grpText} tone={grp.verdict === "safe" ? "neutral" : "danger"} /> : null}
    </g>
  );
}

function TreeList({ nodes, groups, gpuGroups }: { nodes: TNode[]; groups: Map<number, TopologyIommuGroup>; gpuGroups: Set<number> }) {
  return (
    <ul className="grid gap-1 border-l border-border pl-4">
      {nodes.map((n) => {
        const head =
          n.kind === "root"
            ? `Root bus ${n.id.slice(5)} (${numaName(n.numa)})`
            : n.kind === "bridge"
              ? `${bridgeTitle(n).kind} ${n.functions.map((f) => f.address).join(" → ")} (${vendorName(n.functions[n.functions.length - 1]!.vendorId)})`
              : `${n.kind === "other" ? describeClass(n.functions[0]!.classCode) : KIND_WORD[n.kind]} ${n.functions.map((f) => f.address).join(", ")}: ${deviceLine2(n)}`;
        const groupNos = n.kind === "root" ? [] : [...new Set(n.functions.map((f) => f.iommuGroup?.number).filter((g): g is number => g !== undefined))];
        // Verdicts judge GPU passthrough, so only a GPU's group is worth calling unsafe here.
        const unsafe = groupNos.some((g) => gpuGroups.has(g) && groups.get(g)?.verdict === "unsafe");
        return (
          <li key={n.id} className="text-sm">
            <span className="font-medium">{head}</span>
            {n.gpu ? (
              <span className={cn("ml-2", { ok: "text-ok", warn: "text-warn", danger: "text-danger" }[PASS_TONE[n.gpu.passthrough] ?? "danger"])}>
                {PASSTHROUGH_LABEL[n.gpu.passthrough] ?? n.gpu.passthrough}
                {n.gpu.reasons.length ? `: ${n.gpu.reasons.join("; ")}` : ""}
              </span>
            ) : null}
            <span className="ml-2 text-xs text-muted-fg">
              {[
                n.kind !== "root" ? numaName(n.numa) : null,
                groupNos.length ? `IOMMU group ${groupNos.join(", ")}${unsafe ? " (unsafe, holds a GPU)" : ""}` : null,
                n.via.length ? `via ${n.via.map((f) => f.address).join(" → ")}` : null,
                n.hidden.length ? `${n.hidden.length} other functions hidden` : null,
              ]
                .filter(Boolean)
                .join(" · ")}
            </span>
            {n.children.length ? (
              <div className="mt-1">
                <TreeList nodes={n.children} groups={groups} gpuGroups={gpuGroups} />
              </div>
            ) : null}
          </li>
        );
      })}
    </ul>
  );
}

/**
 * The host's PCIe topology as an admin judges a GPU host: root buses → root ports and switches → GPUs,
 * NVSwitches and NICs, one lane per NUMA node, IOMMU groups that hold a GPU marked, and each GPU's
 * passthrough state.
 */
export function TopologyGraph({
  hostId,
  devices,
  gpus,
  iommuGroups,
}: {
  hostId: string;
  devices: TopologyPciDevice[];
  gpus: TopologyGpu[];
  iommuGroups: TopologyIommuGroup[];
}) {
  const [asList, setAsList] = useState(false);
  const [showAll, setShowAll] = useState(false);
  const uid = useId();
  const groups = useMemo(() => new Map(iommuGroups.map((g) => [g.number, g])), [iommuGroups]);
  const gpuGroups = useMemo(() => new Set(gpus.map((g) => g.iommuGroupNumber).filter((g): g is number => g !== null)), [gpus]);
  const built = useMemo(() => buildTree(devices, gpus, showAll), [devices, gpus, showAll]);
  const laid = useMemo(() => layout(built.roots), [built]);

  // IOMMU groups holding a GPU that span several boxes get a dashed outline around them.
  const outlines = useMemo(() => {
    const out: { number: number; unsafe: boolean; x: number; y: number; w: number; h: number }[] = [];
    for (const g of gpuGroups) {
      const members = laid.nodes.filter((n) => n.kind !== "root" && n.functions.some((f) => f.iommuGroup?.number === g));
      if (members.length < 2) continue;
      const x0 = Math.min(...members.map((n) => n.x)) - 6;
      const y0 = Math.min(...members.map((n) => n.y)) - 5;
      const x1 = Math.max(...members.map((n) => n.x + n.w)) + 6;
      const y1 = Math.max(...members.map((n) => n.y + NODE_H)) + 5;
      out.push({ number: g, unsafe: groups.get(g)?.verdict !== "safe", x: x0, y: y0, w: x1 - x0, h: y1 - y0 });
    }
    return out;
  }, [laid, gpuGroups, groups]);

  if (devices.length === 0) {
    return (
      <EmptyState title="No PCI inventory from this agent yet.">The agent reports its PCI devices with its inventory; the topology appears after its next report.</EmptyState>
    );
  }

  const counts = { gpu: 0, nic: 0, nvswitch: 0 };
  for (const n of laid.nodes) if (n.kind === "gpu" || n.kind === "nic" || n.kind === "nvswitch") counts[n.kind]++;
  const states = new Map<string, number>();
  for (const g of gpus) states.set(g.passthrough, (states.get(g.passthrough) ?? 0) + 1);
  const numas = laid.lanes.map((l) => l.numa);
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const what = (gpu: number, nvswitch: number, nic: number) =>
    [gpu && plural(gpu, "GPU"), nvswitch && plural(nvswitch, "NVSwitch", "NVSwitches"), nic && plural(nic, "NIC")].filter(Boolean).join(", ") || "nothing of note";
  const description =
    `${what(counts.gpu, counts.nvswitch, counts.nic)} on ${plural(built.roots.length, "root bus", "root buses")} across ${plural(numas.length, "NUMA node")}. ` +
    laid.lanes.map((l) => `${numaName(l.numa)}: ${what(l.gpus, l.nvswitches, l.nics)}.`).join(" ") +
    (states.size ? ` Passthrough: ${[...states].map(([s, c]) => `${c} ${PASSTHROUGH_LABEL[s] ?? s}`).join(", ")}.` : "") +
    (showAll ? "" : ` ${built.hiddenCount} functions without a GPU, NVSwitch or NIC below them are hidden.`);

  const toggle = "rounded text-sm text-accent underline-offset-2 hover:underline";
  return (
    <div className="grid gap-3 px-5 py-4">
      <div className="flex flex-wrap items-center gap-x-5 gap-y-2 text-xs text-muted-fg">
        <span className="flex flex-wrap items-center gap-3" aria-label="Legend">
          {numas.map((n) => (
            <span key={String(n)} className="inline-flex items-center gap-1.5">
              <span className="h-3 w-3 rounded-sm border" style={{ background: numaColor(n), borderColor: numaColor(n) }} aria-hidden />
              {numaName(n)}
            </span>
          ))}
          {outlines.length ? (
            <span className="inline-flex items-center gap-1.5">
              <span className={cn("h-3 w-5 rounded-sm border border-dashed", outlines.some((o) => o.unsafe) ? "border-danger" : "border-muted-fg")} aria-hidden />
              IOMMU group shared across boxes
            </span>
          ) : null}
          {gpuGroups.size ? (
            <span className="inline-flex items-center gap-1.5">
              <span className="rounded-full border border-border bg-muted px-1.5 text-[10px] font-medium">grp N</span>
              GPU&apos;s IOMMU group (red: unsafe)
            </span>
          ) : null}
          <span className="inline-flex items-center gap-1.5">
            <span className="rounded-full border border-border bg-muted px-1.5 text-[10px] font-medium">+N</span>
            hidden functions
          </span>
        </span>
        <span className="ml-auto flex items-center gap-4">
          <button type="button" className={toggle} onClick={() => setShowAll((v) => !v)} aria-pressed={showAll}>
            {showAll ? "Only GPUs, NVSwitches and NICs" : `Show all ${built.total} functions`}
          </button>
          <button type="button" className={toggle} onClick={() => setAsList((v) => !v)} aria-pressed={asList}>
            {asList ? "Show as graph" : "Show as list"}
          </button>
        </span>
      </div>
      {asList ? (
        <div className="-ml-4">
          <p className="mb-2 pl-4 text-sm text-muted-fg">{description}</p>
          <TreeList nodes={built.roots} groups={groups} gpuGroups={gpuGroups} />
        </div>
      ) : (
        <div className="overflow-x-auto pb-1">
          <svg
            width={laid.width + 4}
            height={laid.height + 4}
            viewBox={`-2 -2 ${laid.width + 4} ${laid.height + 4}`}
            role="img"
            aria-labelledby={`${uid}-t ${uid}-d`}
            className="block font-sans select-text"
          >
            <title id={`${uid}-t`}>PCIe topology of {hostId}</title>
            <desc id={`${uid}-d`}>{description}</desc>
            {laid.lanes.map((l, i) => (
              <g key={String(l.numa)}>
                {i > 0 ? <line x1={l.x - LANE_GAP / 2} x2={l.x - LANE_GAP / 2} y1={0} y2={laid.height} className="stroke-border" strokeDasharray="2 4" /> : null}
                <rect x={l.x} y={2} width={10} height={10} rx={2} fill={numaColor(l.numa)} />
                <text x={l.x + 16} y={11} className="fill-fg text-[12px] font-semibold">
                  {numaName(l.numa)}
                  <tspan className="fill-muted-fg font-normal">
                    {"  "}
                    {[l.gpus && `${l.gpus} GPU${l.gpus === 1 ? "" : "s"}`, l.nvswitches && `${l.nvswitches} NVSwitch${l.nvswitches === 1 ? "" : "es"}`, l.nics && `${l.nics} NIC${l.nics === 1 ? "" : "s"}`]
                      .filter(Boolean)
                      .join(" · ")}
                  </tspan>
                </text>
              </g>
            ))}
            {outlines.map((o) => (
              <rect
                key={o.number}
                x={o.x}
                y={o.y}
                width={o.w}
                height={o.h}
                rx={9}
                fill="none"
                strokeDasharray="5 3"
                strokeWidth={1.5}
                className={o.unsafe ? "stroke-danger" : "stroke-muted-fg"}
              >
                <title>{`IOMMU group ${o.number} (${groups.get(o.number)?.verdict ?? "?"})${(groups.get(o.number)?.reasons ?? []).map((r) => `\n– ${r}`).join("")}`}</title>
              </rect>
            ))}
            <g fill="none" className="stroke-muted-fg/45" strokeWidth={1.25}>
              {laid.edges.map(([p, c]) => {
                const x0 = p.x + p.w;
                const y0 = p.y + NODE_H / 2;
                const x1 = c.x;
                const y1 = c.y + NODE_H / 2;
                const mx = x1 - COL_GAP / 2;
                const r = Math.min(5, Math.abs(y1 - y0) / 2);
                const d =
                  Math.abs(y1 - y0) < 0.5
                    ? `M${x0},${y0} H${x1}`
                    : `M${x0},${y0} H${mx - r} Q${mx},${y0} ${mx},${y0 + Math.sign(y1 - y0) * r} V${y1 - Math.sign(y1 - y0) * r} Q${mx},${y1} ${mx + r},${y1} H${x1}`;
                return <path key={`${p.id}>${c.id}`} d={d} />;
              })}
            </g>
            {laid.nodes.map((n) => (
              <NodeBox key={n.id} n={n} groups={groups} gpuGroups={gpuGroups} />
            ))}
          </svg>
        </div>
      )}
      {!showAll && built.hiddenCount > 0 ? (
        <p className="text-xs text-muted-fg">
          {built.hiddenCount} of {built.total} functions hidden: storage, USB, management and other devices with no GPU, NVSwitch or NIC behind them. Switch downstream ports that lead to a
          single device and plain bridge chains are folded; hover a box for its addresses, drivers and IOMMU groups.
        </p>
      ) : null}
    </div>
  );
}
