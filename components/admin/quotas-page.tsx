"use client";
import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Pencil, Plus } from "lucide-react";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "@/server/api/root";
import { useTRPC } from "@/trpc/react";
import { Button } from "@/components/ui/button";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Badge } from "@/components/ui/badge";
import { Field, Input, Select } from "@/components/ui/input";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { formatBytes } from "@/lib/utils";
import { Muted } from "@/components/common/bits";
import { DialogActions, FormDialog } from "@/components/common/dialogs";
import { FormRest, splitErrors } from "@/components/common/form-errors";
import { GiB, asSlots, formatDuration } from "@/components/common/slots";
import { useMe } from "@/components/common/use-me";

type Policy = inferRouterOutputs<AppRouter>["quotas"]["list"][number];

function Limit({ value, children }: { value: number | null | undefined; children?: React.ReactNode }) {
  return value === null || value === undefined ? <Muted>unlimited</Muted> : <span className="tabular-nums">{children ?? value}</span>;
}

export function QuotasPage() {
  const trpc = useTRPC();
  const { me } = useMe();
  const policies = useQuery(trpc.quotas.list.queryOptions());
  const mayManage = me?.permissions["quotas.manage"] === "all";
  const rows = policies.data ?? [];
  return (
    <>
      <PageHeader
        title="Quotas"
        description="Resource policies cap what a project (all its members together) or a single user may hold at once. A session is refused at launch when it would break either."
        actions={mayManage ? <NewPolicyButton /> : null}
      />
      {me && !mayManage ? <p className="-mt-3 mb-4 text-sm text-muted-fg">Read-only: your role can see resource policies but not change them.</p> : null}
      <Card>
        <QueryState isLoading={policies.isLoading} error={policies.error}>
          {rows.length === 0 ? (
            <EmptyState title="No resource policies yet." action={mayManage ? <NewPolicyButton /> : null}>
              {mayManage ? "Without a policy, projects and users are unlimited. Create one, then assign it to a project or a user." : "Without a policy, projects and users are unlimited."}
            </EmptyState>
          ) : (
            <Table>
              <caption className="sr-only">Resource policies</caption>
              <thead>
                <tr>
                  <Th>Policy</Th>
                  <Th className="text-right">GPUs</Th>
                  <Th className="text-right">vCPU</Th>
                  <Th className="text-right">Memory</Th>
                  <Th className="text-right">Live / pending sessions</Th>
                  <Th className="text-right">GPUs per session</Th>
                  <Th>Max lifetime</Th>
                  <Th>Idle timeout</Th>
                  <Th>Used by</Th>
                  {mayManage ? (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => {
                  const s = asSlots(p.totalSlots);
                  const users = p.users.map((u) => u.email);
                  const projects = p.projects.map((x) => x.name);
                  return (
                    <Tr key={p.id}>
                      <Td>
                        <div className="font-medium whitespace-nowrap">{p.name}</div>
                        <Badge className="mt-1" tone={p.scope === "project" ? "accent" : "neutral"}>
                          {p.scope}
                        </Badge>
                      </Td>
                      <Td className="text-right">
                        <Limit value={s["cuda.device"]} />
                      </Td>
                      <Td className="text-right">
                        <Limit value={s.cpu} />
                      </Td>
                      <Td className="text-right whitespace-nowrap">
                        <Limit value={s.mem}>{formatBytes(s.mem)}</Limit>
                      </Td>
                      <Td className="text-right whitespace-nowrap">
                        <Limit value={p.maxConcurrentSessions} /> <span className="text-muted-fg">/</span> <Limit value={p.maxPendingSessions} />
                      </Td>
                      <Td className="text-right">
                        <Limit value={p.maxGpusPerSession} />
                      </Td>
                      <Td className="whitespace-nowrap">
                        <Limit value={p.maxSessionLifetimeSec}>{formatDuration(p.maxSessionLifetimeSec)}</Limit>
                      </Td>
                      <Td className="whitespace-nowrap">
                        <Limit value={p.idleTimeoutSec}>{formatDuration(p.idleTimeoutSec)}</Limit>
                      </Td>
                      <Td className="max-w-72 text-xs">
                        {projects.length === 0 && users.length === 0 ? <Muted>nobody yet</Muted> : null}
                        {projects.length ? (
                          <div>
                            <span className="text-muted-fg">projects:</span> {projects.join(", ")}
                          </div>
                        ) : null}
                        {users.length ? (
                          <div>
                            <span className="text-muted-fg">users:</span> {users.join(", ")}
                          </div>
                        ) : null}
                      </Td>
                      {mayManage ? (
                        <Td className="text-right">
                          <EditPolicyButton policy={p} />
                        </Td>
                      ) : null}
                    </Tr>
                  );
                })}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </>
  );
}

function NewPolicyButton() {
  return (
    <FormDialog
      title="New resource policy"
      description="Leave a limit blank for unlimited."
      className="w-[min(94vw,38rem)]"
      trigger={
        <Button>
          <Plus className="h-4 w-4" aria-hidden /> New policy
        </Button>
      }
    >
      {(close) => <PolicyForm onDone={close} />}
    </FormDialog>
  );
}

function EditPolicyButton({ policy }: { policy: Policy }) {
  return (
    <FormDialog
      title={`Edit ${policy.name}`}
      description="Leave a limit blank for unlimited. Changes apply to the next launch; running sessions are not touched."
      className="w-[min(94vw,38rem)]"
      trigger={
        <Button variant="ghost" size="sm" aria-label={`Edit policy ${policy.name}`}>
          <Pencil className="h-3.5 w-3.5" aria-hidden /> Edit
        </Button>
      }
    >
      {(close) => <PolicyForm policy={policy} onDone={close} />}
    </FormDialog>
  );
}

const FIELDS = {
  name: "name",
  scope: "scope",
  "totalSlots.cpu": "cpu",
  "totalSlots.mem": "mem",
  "totalSlots.cuda.device": "gpus",
  totalSlots: "slots",
  maxConcurrentSessions: "maxConcurrent",
  maxPendingSessions: "maxPending",
  maxGpusPerSession: "maxGpus",
  maxSessionLifetimeSec: "lifetime",
  idleTimeoutSec: "idle",
};

const str = (n: number | null | undefined, scale = 1) => (n === null || n === undefined ? "" : String(Math.round((n / scale) * 1000) / 1000));

function PolicyForm({ policy, onDone }: { policy?: Policy; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const slots = asSlots(policy?.totalSlots);
  const [name, setName] = useState(policy?.name ?? "");
  const [scope, setScope] = useState<"project" | "user">(policy?.scope ?? "project");
  const [v, setV] = useState({
    cpu: str(slots.cpu),
    mem: str(slots.mem, GiB),
    gpus: str(slots["cuda.device"]),
    maxConcurrent: str(policy?.maxConcurrentSessions),
    maxPending: str(policy?.maxPendingSessions),
    maxGpus: str(policy?.maxGpusPerSession),
    lifetime: str(policy?.maxSessionLifetimeSec, 3600),
    idle: str(policy?.idleTimeoutSec, 60),
  });
  const set = (k: keyof typeof v) => (e: React.ChangeEvent<HTMLInputElement>) => setV((o) => ({ ...o, [k]: e.target.value }));
  const opts = {
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: trpc.quotas.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.projects.pathKey() }),
        queryClient.invalidateQueries({ queryKey: trpc.users.pathKey() }),
      ]);
      onDone();
    },
  };
  const create = useMutation(trpc.quotas.create.mutationOptions(opts));
  const update = useMutation(trpc.quotas.update.mutationOptions(opts));
  const m = policy ? update : create;
  const errs = splitErrors(m.error, FIELDS);

  /** Blank → null (unlimited); otherwise the number times `scale`, rounded to a whole unit. */
  const num = (s: string, scale = 1): number | null => (s.trim() === "" ? null : Math.round(Number(s) * scale * 1e6) / 1e6);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const totalSlots: { cpu?: number; mem?: number; "cuda.device"?: number } = {};
    const cpu = num(v.cpu);
    const mem = num(v.mem, GiB);
    const gpus = num(v.gpus);
    if (cpu !== null) totalSlots.cpu = cpu;
    if (mem !== null) totalSlots.mem = Math.round(mem);
    if (gpus !== null) totalSlots["cuda.device"] = gpus;
    const lifetime = num(v.lifetime, 3600);
    const idle = num(v.idle, 60);
    const limits = {
      totalSlots,
      maxConcurrentSessions: num(v.maxConcurrent),
      maxPendingSessions: num(v.maxPending),
      maxGpusPerSession: num(v.maxGpus),
      maxSessionLifetimeSec: lifetime === null ? null : Math.round(lifetime),
      idleTimeoutSec: idle === null ? null : Math.round(idle),
    };
    if (policy) update.mutate({ id: policy.id, ...limits });
    else create.mutate({ name: name.trim(), scope, ...limits });
  }

  const numInput = (id: string, key: keyof typeof v, step = "1") => (
    <Input id={id} type="number" inputMode="decimal" min={0} step={step} placeholder="unlimited" value={v[key]} onChange={set(key)} {...errs.aria(key, id)} />
  );

  return (
    <form className="grid gap-4" noValidate onSubmit={submit}>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <Field id="qp-name" label="Name" error={errs.field("name")} hint={policy ? "Cannot be changed." : "Lowercase letters, digits and '-'."}>
          <Input id="qp-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!!policy} autoComplete="off" autoFocus={!policy} {...errs.aria("name", "qp-name")} />
        </Field>
        <Field id="qp-scope" label="Applies to" error={errs.field("scope")} hint={policy ? "Cannot be changed." : scope === "project" ? "All members of a project together." : "One person, across all their projects."}>
          <Select id="qp-scope" value={scope} disabled={!!policy} onChange={(e) => setScope(e.target.value as "project" | "user")}>
            <option value="project">project</option>
            <option value="user">user</option>
          </Select>
        </Field>
      </div>
      <fieldset className="grid gap-3 rounded-md border border-border p-4">
        <legend className="px-1 text-sm font-medium">Total resources held at once</legend>
        <div className="grid items-start gap-4 sm:grid-cols-3">
          <Field id="qp-gpus" label="GPUs" error={errs.field("gpus")}>
            {numInput("qp-gpus", "gpus")}
          </Field>
          <Field id="qp-cpu" label="vCPU cores" error={errs.field("cpu")}>
            {numInput("qp-cpu", "cpu")}
          </Field>
          <Field id="qp-mem" label="Memory (GiB)" error={errs.field("mem")}>
            {numInput("qp-mem", "mem", "any")}
          </Field>
        </div>
        {errs.field("slots") ? (
          <p role="alert" className="text-xs text-danger">
            {errs.field("slots")}
          </p>
        ) : null}
      </fieldset>
      <div className="grid items-start gap-4 sm:grid-cols-3">
        <Field id="qp-concurrent" label="Max live sessions" error={errs.field("maxConcurrent")}>
          {numInput("qp-concurrent", "maxConcurrent")}
        </Field>
        <Field id="qp-pending" label="Max pending sessions" error={errs.field("maxPending")}>
          {numInput("qp-pending", "maxPending")}
        </Field>
        <Field id="qp-maxgpus" label="Max GPUs per session" error={errs.field("maxGpus")}>
          {numInput("qp-maxgpus", "maxGpus")}
        </Field>
        <Field id="qp-lifetime" label="Max lifetime (hours)" error={errs.field("lifetime")}>
          {numInput("qp-lifetime", "lifetime", "any")}
        </Field>
        <Field id="qp-idle" label="Idle timeout (minutes)" error={errs.field("idle")}>
          {numInput("qp-idle", "idle", "any")}
        </Field>
      </div>
      <FormRest message={errs.rest} />
      <DialogActions pending={m.isPending} submitLabel={policy ? "Save changes" : "Create policy"} />
    </form>
  );
}
