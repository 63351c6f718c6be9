"use client";
import { Card, CardBody, CardHeader } from "@/components/ui/card";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatTime } from "@/lib/utils";

type History = { fromStatus: string | null; toStatus: string; reason: string; createdAt: Date | string };
type Context = {
  mountPlan?: { id: string; dockerTarget: string; verdict: string; kata: string; reason: string }[];
  files?: Record<string, string>;
  annotations?: Record<string, string>;
  runtimeClass?: string;
  runtimeRequirements?: { option: string; value: string; why?: string }[];
  confidential?: boolean;
  warnings?: string[];
};
type Kernel = {
  id: string;
  clusterHostname: string;
  agentId: string | null;
  containerId: string | null;
  attachedDevices: unknown;
  creationContext: unknown;
  statusHistory: History[];
};

const VERDICT_TONE: Record<string, "ok" | "warn" | "neutral" | "accent"> = { keep: "ok", change: "accent", skip: "neutral", different: "warn" };

function seconds(a: Date | string, b: Date | string) {
  const ms = new Date(b).getTime() - new Date(a).getTime();
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** One kernel's VM: its boot timeline with each phase's duration, its GPUs, and what the agent built. */
export function KernelDetails({ kernel }: { kernel: Kernel }) {
  const devices = (kernel.attachedDevices ?? {}) as { "cuda.device"?: { pciAddress: string; iommuGroup: number }[]; locality?: string; nics?: string[] };
  const gpus = devices["cuda.device"] ?? [];
  const ctx = (kernel.creationContext ?? null) as Context | null;
  const h = kernel.statusHistory;
  return (
    <Card>
      <CardHeader
        title={`VM ${kernel.clusterHostname}`}
        description={
          <>
            {kernel.agentId ? `on ${kernel.agentId}` : "not placed yet"}
            {kernel.containerId ? (
              <>
                {" · containerd id "}
                <span className="font-mono">{kernel.containerId}</span>
              </>
            ) : null}
            {ctx?.runtimeClass ? ` · runtime ${ctx.runtimeClass}` : null}
          </>
        }
      />
      <CardBody className="grid gap-6">
        {gpus.length ? (
          <section aria-label="GPUs">
            <h3 className="mb-2 text-sm font-medium">GPUs passed through</h3>
            <p className="mb-2 text-xs text-muted-fg">
              {gpus.length} whole GPU{gpus.length === 1 ? "" : "s"}
              {devices.locality ? `, placed for locality: ${devices.locality === "nvlink" ? "one NVLink/NVSwitch domain" : devices.locality === "pcie-switch" ? "one PCIe switch" : devices.locality === "numa" ? "one NUMA node" : "spread over the host"}` : ""}
              {devices.nics?.length ? ` · NICs ${devices.nics.join(", ")}` : ""}
            </p>
            <ul className="flex flex-wrap gap-2">
              {gpus.map((g) => (
                <li key={g.pciAddress} className="rounded-md border border-border px-2 py-1 font-mono text-xs">
                  {g.pciAddress} <span className="text-muted-fg">· IOMMU group {g.iommuGroup} · /dev/vfio/{g.iommuGroup}</span>
                </li>
              ))}
            </ul>
          </section>
        ) : null}

        <section aria-label="Boot timeline">
          <h3 className="mb-2 text-sm font-medium">Timeline</h3>
          {h.length === 0 ? (
            <p className="text-sm text-muted-fg">No changes yet.</p>
          ) : (
            <ol className="grid gap-1.5 text-sm">
              {h.map((e, i) => (
                <li key={i} className="grid grid-cols-[11rem_7rem_1fr_5rem] items-baseline gap-3">
                  <span className="font-mono text-xs text-muted-fg">{formatTime(e.createdAt)}</span>
                  <span>{e.fromStatus === e.toStatus ? <span className="text-xs text-muted-fg">phase</span> : <StatusBadge status={e.toStatus} />}</span>
                  <span className="text-muted-fg">{e.reason}</span>
                  <span className="text-right text-xs text-muted-fg tabular-nums">{i + 1 < h.length ? seconds(e.createdAt, h[i + 1]!.createdAt) : ""}</span>
                </li>
              ))}
            </ol>
          )}
        </section>

        {ctx?.mountPlan?.length ? (
          <section aria-label="Mount plan">
            <h3 className="mb-2 text-sm font-medium">Mount plan (BEP-1051)</h3>
            <Table>
              <thead>
                <tr>
                  <Th>Docker kernels have</Th>
                  <Th>Verdict</Th>
                  <Th>In this Kata VM</Th>
                  <Th>Why</Th>
                </tr>
              </thead>
              <tbody>
                {ctx.mountPlan.map((m) => (
                  <Tr key={m.id}>
                    <Td className="font-mono text-xs">{m.dockerTarget}</Td>
                    <Td>
                      <Badge tone={VERDICT_TONE[m.verdict] ?? "neutral"}>{m.verdict}</Badge>
                    </Td>
                    <Td className="text-xs">{m.kata}</Td>
                    <Td className="text-xs text-muted-fg">{m.reason}</Td>
                  </Tr>
                ))}
              </tbody>
            </Table>
          </section>
        ) : null}

        {ctx?.files ? (
          <section aria-label="Config files">
            <h3 className="mb-2 text-sm font-medium">Rendered config files</h3>
            <div className="grid gap-2">
              {Object.entries(ctx.files).map(([name, content]) => (
                <details key={name} className="rounded-md border border-border">
                  <summary className="cursor-pointer px-3 py-2 font-mono text-xs">{name}</summary>
                  <pre className="max-h-72 overflow-auto border-t border-border bg-muted/40 p-3 font-mono text-xs">{content}</pre>
                </details>
              ))}
              {ctx.annotations ? (
                <details className="rounded-md border border-border">
                  <summary className="cursor-pointer px-3 py-2 font-mono text-xs">Kata annotations ({Object.keys(ctx.annotations).length})</summary>
                  <pre className="max-h-72 overflow-auto border-t border-border bg-muted/40 p-3 font-mono text-xs">
                    {Object.entries(ctx.annotations)
                      .map(([k, v]) => `${k} = ${v.length > 120 ? `${v.slice(0, 120)}…` : v}`)
                      .join("\n")}
                  </pre>
                </details>
              ) : null}
            </div>
            {ctx.warnings?.length ? <ul className="mt-2 list-disc pl-5 text-xs text-warn">{ctx.warnings.map((w) => <li key={w}>{w}</li>)}</ul> : null}
          </section>
        ) : null}
      </CardBody>
    </Card>
  );
}
