"use client";
import { Fragment, useMemo, useState } from "react";
import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { ChevronDown, ChevronRight, Download, ShieldAlert, ShieldCheck } from "lucide-react";
import { useTRPC } from "@/trpc/react";
import { Badge, StatusBadge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardHeader, EmptyState, PageHeader } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/input";
import { QueryState, errorMessage } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatTime } from "@/lib/utils";

type Filter = { actor?: string; action?: string; targetType?: string; targetId?: string; result?: "success" | "denied" | "error"; from?: string; to?: string };

function toApiFilter(f: Filter) {
  return {
    actor: f.actor || undefined,
    action: f.action || undefined,
    targetType: f.targetType || undefined,
    targetId: f.targetId || undefined,
    result: f.result || undefined,
    from: f.from ? new Date(f.from) : undefined,
    to: f.to ? new Date(f.to) : undefined,
  };
}

function ChainBadge() {
  const trpc = useTRPC();
  const v = useQuery(trpc.audit.verify.queryOptions(undefined, { staleTime: 60_000, refetchOnWindowFocus: false }));
  if (v.isLoading) return <Badge>Verifying chain…</Badge>;
  if (v.error) return <Badge tone="danger">Chain check failed: {errorMessage(v.error)}</Badge>;
  const r = v.data!;
  return r.ok ? (
    <Badge tone="ok" data-testid="chain-badge" title={`Last hash ${r.lastHash.slice(0, 16)}… · ${r.tookMs} ms`}>
      <ShieldCheck className="h-3.5 w-3.5" aria-hidden /> Chain verified · {r.checked.toLocaleString()} events
    </Badge>
  ) : (
    <Badge tone="danger" data-testid="chain-badge" title={r.break.reason}>
      <ShieldAlert className="h-3.5 w-3.5" aria-hidden /> Chain broken at event {String(r.break.id)}: {r.break.reason}
    </Badge>
  );
}

export function AuditLog() {
  const trpc = useTRPC();
  const [draft, setDraft] = useState<Filter>({});
  const [filter, setFilter] = useState<Filter>({});
  const [open, setOpen] = useState<string | null>(null);
  const facets = useQuery(trpc.audit.facets.queryOptions());
  const apiFilter = useMemo(() => toApiFilter(filter), [filter]);
  const pages = useInfiniteQuery(
    trpc.audit.list.infiniteQueryOptions(
      { filter: apiFilter, limit: 50 },
      { getNextPageParam: (last) => last.nextCursor ?? undefined },
    ),
  );
  const rows = pages.data?.pages.flatMap((p) => p.items) ?? [];
  const exportHref = (format: "csv" | "jsonl") => {
    const q = new URLSearchParams({ format });
    for (const [k, v] of Object.entries(filter)) if (v) q.set(k, k === "from" || k === "to" ? new Date(v).toISOString() : v);
    return `/api/audit/export?${q}`;
  };
  const set = (k: keyof Filter) => (e: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) => setDraft((d) => ({ ...d, [k]: e.target.value }));

  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every change in Hypercell, who made it and from where — append-only and hash-chained, so any edit or removal is detectable."
        actions={<ChainBadge />}
      />
      <Card className="mb-4">
        <form
          className="grid gap-3 px-5 py-4 sm:grid-cols-2 lg:grid-cols-7 lg:items-end"
          onSubmit={(e) => {
            e.preventDefault();
            setFilter(draft);
          }}
          aria-label="Filter audit events"
        >
          <Field id="f-actor" label="Actor (email)">
            <Input id="f-actor" value={draft.actor ?? ""} onChange={set("actor")} placeholder="admin@…" />
          </Field>
          <Field id="f-action" label="Action">
            <Select id="f-action" value={draft.action ?? ""} onChange={set("action")}>
              <option value="">Any</option>
              {facets.data?.actions.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </Select>
          </Field>
          <Field id="f-target" label="Target type">
            <Select id="f-target" value={draft.targetType ?? ""} onChange={set("targetType")}>
              <option value="">Any</option>
              {facets.data?.targetTypes.map((a) => (
                <option key={a}>{a}</option>
              ))}
            </Select>
          </Field>
          <Field id="f-result" label="Result">
            <Select id="f-result" value={draft.result ?? ""} onChange={set("result")}>
              <option value="">Any</option>
              <option value="success">success</option>
              <option value="denied">denied</option>
              <option value="error">error</option>
            </Select>
          </Field>
          <Field id="f-from" label="From">
            <Input id="f-from" type="datetime-local" value={draft.from ?? ""} onChange={set("from")} />
          </Field>
          <Field id="f-to" label="To">
            <Input id="f-to" type="datetime-local" value={draft.to ?? ""} onChange={set("to")} />
          </Field>
          <div className="flex gap-2">
            <Button type="submit">Apply</Button>
            <Button
              type="button"
              variant="ghost"
              onClick={() => {
                setDraft({});
                setFilter({});
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      <Card>
        <CardHeader
          title="Events"
          description="Newest first. Select a row for its before/after summary, request id and hashes."
          actions={
            <>
              <Button asChild variant="secondary" size="sm">
                <a href={exportHref("csv")} download>
                  <Download className="h-3.5 w-3.5" aria-hidden /> CSV
                </a>
              </Button>
              <Button asChild variant="secondary" size="sm">
                <a href={exportHref("jsonl")} download>
                  <Download className="h-3.5 w-3.5" aria-hidden /> JSON Lines
                </a>
              </Button>
            </>
          }
        />
        <QueryState isLoading={pages.isLoading} error={pages.error}>
          {rows.length === 0 ? (
            <EmptyState title="No events match these filters">Clear the filters, or widen the time range.</EmptyState>
          ) : (
            <Table>
              <thead>
                <tr>
                  <Th className="w-8" />
                  <Th>Time (UTC)</Th>
                  <Th>Actor</Th>
                  <Th>Action</Th>
                  <Th>Target</Th>
                  <Th>Result</Th>
                  <Th>From</Th>
                </tr>
              </thead>
              <tbody>
                {rows.map((e) => {
                  const id = String(e.id);
                  const expanded = open === id;
                  return (
                    <Fragment key={id}>
                      <Tr className="cursor-pointer" onClick={() => setOpen(expanded ? null : id)}>
                        <Td>
                          <button type="button" aria-expanded={expanded} aria-label={`Details of event ${id}`} className="text-muted-fg" onClick={(ev) => { ev.stopPropagation(); setOpen(expanded ? null : id); }}>
                            {expanded ? <ChevronDown className="h-4 w-4" /> : <ChevronRight className="h-4 w-4" />}
                          </button>
                        </Td>
                        <Td className="font-mono text-xs whitespace-nowrap">{formatTime(e.occurredAt)}</Td>
                        <Td>
                          <div>{e.actorEmail ?? "system"}</div>
                          <div className="text-xs text-muted-fg">{e.persona}</div>
                        </Td>
                        <Td className="font-mono text-xs">{e.action}</Td>
                        <Td>
                          <div>{e.targetType}</div>
                          {e.targetId ? <div className="max-w-48 truncate font-mono text-xs text-muted-fg" title={e.targetId}>{e.targetId}</div> : null}
                        </Td>
                        <Td>
                          <StatusBadge status={e.result} />
                          {e.message ? <div className="mt-1 max-w-64 text-xs text-muted-fg">{e.message}</div> : null}
                        </Td>
                        <Td className="font-mono text-xs">{e.clientAddress ?? "—"}</Td>
                      </Tr>
                      {expanded ? (
                        <tr>
                          <td colSpan={7} className="border-b border-border bg-muted/40 px-6 py-4">
                            <div className="grid gap-4 text-xs md:grid-cols-2">
                              <div>
                                <div className="mb-1 font-medium">Before</div>
                                <pre className="overflow-x-auto rounded bg-card p-2 font-mono">{JSON.stringify(e.before, null, 2) ?? "null"}</pre>
                              </div>
                              <div>
                                <div className="mb-1 font-medium">After</div>
                                <pre className="overflow-x-auto rounded bg-card p-2 font-mono">{JSON.stringify(e.after, null, 2) ?? "null"}</pre>
                              </div>
                              <dl className="grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1 font-mono md:col-span-2">
                                <dt className="text-muted-fg">event</dt>
                                <dd>{id}</dd>
                                <dt className="text-muted-fg">request id</dt>
                                <dd>{e.requestId}</dd>
                                <dt className="text-muted-fg">previous hash</dt>
                                <dd className="break-all">{e.prevHash}</dd>
                                <dt className="text-muted-fg">hash</dt>
                                <dd className="break-all">{e.hash}</dd>
                              </dl>
                            </div>
                          </td>
                        </tr>
                      ) : null}
                    </Fragment>
                  );
                })}
              </tbody>
            </Table>
          )}
          {pages.hasNextPage ? (
            <div className="flex justify-center border-t border-border py-3">
              <Button variant="secondary" onClick={() => pages.fetchNextPage()} disabled={pages.isFetchingNextPage}>
                {pages.isFetchingNextPage ? "Loading…" : "Load older events"}
              </Button>
            </div>
          ) : null}
        </QueryState>
      </Card>
    </>
  );
}
