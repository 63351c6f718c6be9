"use client";
import { useState } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/trpc/react";
import { Card, CardBody, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatBytes, formatTime, timeAgo } from "@/lib/utils";
import { BackLink, Dash, DetailState, Details, Muted } from "@/components/common/bits";
import { formatSlots } from "@/components/common/slots";
import { useMe } from "@/components/common/use-me";
import { GpuActions, GpuOperations, useGpuOperations } from "./gpu-actions";
import { Preflight } from "./preflight";
import { DrainHostButton, ReleaseGpuButton } from "./host-health-actions";
import { TopologyGraph } from "./topology-graph";
import { CONFIDENTIAL_LABEL, PASSTHROUGH_LABEL, describeClass, vendorName } from "./labels";

function Reasons({ reasons }: { reasons: string[] }) {
  if (!reasons.length) return null;
  return (
    <ul className="mt-1 grid gap-0.5 text-xs text-muted-fg">
      {reasons.map((r, i) => (
        <li key={i}>{r}</li>
      ))}
    </ul>
  );
}

export function HostDetail({ id }: { id: string }) {
  const trpc = useTRPC();
  const host = useQuery(trpc.hosts.get.queryOptions({ id }, { refetchInterval: 10_000 }));
  const h = host.data;
  // Most groups on a host hold no GPU; the ones that matter for passthrough come first.
  const [showAllGroups, setShowAllGroups] = useState(false);
  const { can } = useMe();
  const mayBind = can("gpus.bind");
  const mayQuarantine = can("gpus.quarantine");
  const mayManage = can("hosts.manage");
  const ops = useGpuOperations(id);
  const busyGpus = new Set((ops.data ?? []).filter((o) => o.status === "pending" || o.status === "running").map((o) => o.gpu.pciAddress));
  const gpuGroupNumbers = new Set(h?.gpus.map((g) => g.iommuGroupNumber) ?? []);
  const gpuGroups = h?.iommuGroups.filter((g) => gpuGroupNumbers.has(g.number)) ?? [];
  return (
    <>
      <BackLink href="/hosts">All hosts</BackLink>
      <DetailState
        isLoading={host.isLoading}
        error={host.error}
        back={<BackLink href="/hosts">Back to hosts</BackLink>}
        notFound={{
          title: `No host with id "${id}".`,
          body: "It may have been removed, or the link is mistyped. The hosts list shows every agent that has joined.",
        }}
      >
        {h ? (
          <>
            <PageHeader
              title={h.id}
              description={
                <span className="inline-flex flex-wrap items-center gap-2">
                  <StatusBadge status={h.status} />
                  {!h.schedulable ? <Badge tone="warn">unschedulable</Badge> : null}
                  {h.statusReason ? <span>{h.statusReason}</span> : null}
                </span>
              }
              actions={mayManage ? <DrainHostButton agentId={h.id} schedulable={h.schedulable} /> : null}
            />
            <div className="grid grid-cols-[minmax(0,1fr)] gap-6">
              <Card>
                <CardHeader title="Summary" />
                <CardBody>
                  <Details
                    items={[
                      ["Backend", h.backend],
                      ["Resource group", h.resourceGroup?.name ?? <Muted>none</Muted>],
                      ["Address", <span key="a" className="font-mono text-xs">{h.address}</span>],
                      ["Hypervisor", h.hypervisor ?? <Dash />],
                      ["Confidential computing", h.confidentialCapability === "none" ? <Muted>not supported</Muted> : (CONFIDENTIAL_LABEL[h.confidentialCapability] ?? h.confidentialCapability)],
                      ["IOMMU", h.iommuEnabled ? <Badge tone="ok">on</Badge> : <Badge tone="danger">off — no GPU can be passed through</Badge>],
                      ["Architecture", h.architecture],
                      ["Agent version", h.version || <Dash />],
                      ["Region", h.region ?? <Dash />],
                      ["Available slots", formatSlots(h.availableSlots)],
                      ["Occupied slots", formatSlots(h.occupiedSlots)],
                      [
                        "Last heartbeat",
                        <span key="hb" title={formatTime(h.lastHeartbeatAt)}>
                          {timeAgo(h.lastHeartbeatAt)}
                        </span>,
                      ],
                      ["First contact", formatTime(h.firstContactAt)],
                      ...(h.lostAt ? ([["Lost at", formatTime(h.lostAt)]] as [string, string][]) : []),
                    ]}
                  />
                </CardBody>
              </Card>

              <Card>
                <CardHeader
                  title="Topology"
                  description="PCIe paths from each root bus through root ports and switches to the GPUs, NVSwitches and NICs, one lane per NUMA node. GPUs and NICs under one switch or root bus are close for GPUDirect RDMA."
                />
                <TopologyGraph hostId={h.id} devices={h.pciDevices} gpus={h.gpus} iommuGroups={h.iommuGroups} />
              </Card>

              <Card>
                <CardHeader title="GPUs" description="Whole GPUs this host can pass through to VMs. A GPU is ready only when its whole IOMMU group is safe and bound to vfio-pci." />
                {h.gpus.length === 0 ? (
                  <EmptyState title="This host reports no GPUs.">It can still run CPU-only sessions. If it should have GPUs, check the agent&apos;s PCI inventory and driver bindings.</EmptyState>
                ) : (
                  <Table>
                    <caption className="sr-only">GPUs of {h.id}</caption>
                    <thead>
                      <tr>
                        <Th>PCI address</Th>
                        <Th>Model</Th>
                        <Th className="text-right">Memory</Th>
                        <Th className="text-right">NUMA</Th>
                        <Th className="text-right whitespace-nowrap">IOMMU group</Th>
                        <Th>Driver</Th>
                        <Th>Passthrough</Th>
                        <Th>Quarantine</Th>
                        {mayBind ? <Th className="sr-only">Actions</Th> : null}
                      </tr>
                    </thead>
                    <tbody>
                      {h.gpus.map((g) => (
                        <Tr key={g.id}>
                          <Td className="font-mono text-xs whitespace-nowrap">{g.pciAddress}</Td>
                          <Td className="whitespace-nowrap">
                            {g.model}
                            {g.nvlinkDomain || g.pcieSwitch ? (
                              <div className="text-xs text-muted-fg">
                                {[g.nvlinkDomain && `NVLink ${g.nvlinkDomain}`, g.pcieSwitch && `switch ${g.pcieSwitch}`].filter(Boolean).join(" · ")}
                              </div>
                            ) : null}
                          </Td>
                          <Td className="text-right tabular-nums whitespace-nowrap">{formatBytes(g.memoryBytes)}</Td>
                          <Td className="text-right tabular-nums">{g.numaNode ?? <Dash />}</Td>
                          <Td className="text-right tabular-nums">{g.iommuGroupNumber ?? <Dash />}</Td>
                          <Td className="font-mono text-xs whitespace-nowrap">{g.driver ?? <Dash />}</Td>
                          <Td className="min-w-48">
                            <StatusBadgeLabel status={g.passthrough} />
                            <Reasons reasons={g.reasons} />
                          </Td>
                          <Td>
                            {g.quarantined ? (
                              <>
                                <Badge tone="danger">quarantined</Badge>
                                {mayQuarantine ? <ReleaseGpuButton gpuId={g.id} label={`${g.pciAddress} on ${h.id}`} reason={g.quarantineReason} /> : null}
                                {g.quarantineReason ? <div className="mt-1 text-xs text-muted-fg">{g.quarantineReason}</div> : null}
                              </>
                            ) : (
                              <Muted>no</Muted>
                            )}
                          </Td>
                          {mayBind ? (
                            <Td className="whitespace-nowrap">
                              <GpuActions gpu={g} busy={busyGpus.has(g.pciAddress)} />
                            </Td>
                          ) : null}
                        </Tr>
                      ))}
                    </tbody>
                  </Table>
                )}
              </Card>

              {mayBind ? <GpuOperations agentId={h.id} /> : null}
              <Preflight computePlugins={h.computePlugins} />

              <Card>
                <CardHeader
                  title="IOMMU groups"
                  description={`Devices in one group share DMA isolation: a group can go to a VM only as a whole, and only if it holds nothing but the GPU, its audio function and bridges.${showAllGroups ? "" : ` Showing the ${gpuGroups.length} groups that hold a GPU.`}`}
                  actions={
                    h.iommuGroups.length > gpuGroups.length ? (
                      <button type="button" className="text-sm text-accent underline-offset-2 hover:underline" onClick={() => setShowAllGroups((v) => !v)} aria-pressed={showAllGroups}>
                        {showAllGroups ? "Only groups with GPUs" : `Show all ${h.iommuGroups.length} groups`}
                      </button>
                    ) : null
                  }
                />
                {h.iommuGroups.length === 0 ? (
                  <EmptyState title={h.iommuEnabled ? "No IOMMU groups reported yet." : "The IOMMU is off on this host."}>
                    {h.iommuEnabled
                      ? "The agent reports groups with its PCI inventory; they appear after its next inventory report."
                      : "Turn it on in the firmware and on the kernel command line (intel_iommu=on or amd_iommu=on, iommu=pt), then restart the agent."}
                  </EmptyState>
                ) : (
                  <Table>
                    <caption className="sr-only">IOMMU groups of {h.id}</caption>
                    <thead>
                      <tr>
                        <Th className="text-right">Group</Th>
                        <Th>Verdict</Th>
                        <Th className="w-3/5">Member devices</Th>
                      </tr>
                    </thead>
                    <tbody>
                      {(showAllGroups ? h.iommuGroups : gpuGroups).map((grp) => (
                        <Tr key={grp.id}>
                          <Td className="text-right tabular-nums">{grp.number}</Td>
                          <Td className="min-w-48">
                            <StatusBadge status={grp.verdict} />
                            <Reasons reasons={grp.reasons} />
                          </Td>
                          <Td>
                            <ul className="grid gap-1">
                              {grp.devices.map((d) => (
                                <li key={d.address} className="flex flex-wrap items-baseline gap-x-2 text-xs">
                                  <span className="font-mono">{d.address}</span>
                                  <span>{describeClass(d.classCode)}</span>
                                  <span className="text-muted-fg">
                                    {vendorName(d.vendorId)} {d.vendorId}:{d.deviceId}
                                  </span>
                                  <span className="font-mono text-muted-fg">{d.driver ? `driver ${d.driver}` : "no driver"}</span>
                                </li>
                              ))}
                            </ul>
                          </Td>
                        </Tr>
                      ))}
                    </tbody>
                  </Table>
                )}
              </Card>
            </div>
          </>
        ) : null}
      </DetailState>
    </>
  );
}

/** A passthrough state badge with readable words ("needs vfio-pci" rather than "needs-vfio"). */
function StatusBadgeLabel({ status }: { status: string }) {
  const tone = status === "ready" ? "ok" : status === "needs_vfio" ? "warn" : "danger";
  return <Badge tone={tone}>{PASSTHROUGH_LABEL[status] ?? status}</Badge>;
}

