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
import { Field, Input, Select, Textarea } from "@/components/ui/input";
import { QueryState } from "@/components/ui/query-state";
import { Table, Td, Th, Tr } from "@/components/ui/table";
import { CheckboxField, Muted } from "@/components/common/bits";
import { DialogActions, FormDialog } from "@/components/common/dialogs";
import { FormRest, splitErrors } from "@/components/common/form-errors";
import { formatDuration } from "@/components/common/slots";
import { useMe } from "@/components/common/use-me";

type Group = inferRouterOutputs<AppRouter>["resourceGroups"]["list"][number];
type Backend = "docker" | "kubernetes" | "kata";
type Scheduler = "fifo" | "lifo" | "drf";
type AgentSelection = "dispersed" | "concentrated";
type Confidential = "required" | "preferred" | "off";

const SCHEDULER_HINT: Record<Scheduler, string> = {
  fifo: "First in, first out: the oldest pending session goes first.",
  lifo: "Last in, first out: the newest pending session goes first.",
  drf: "Dominant resource fairness: the user with the smallest share goes first.",
};
const SELECTION_HINT: Record<AgentSelection, string> = {
  dispersed: "Spread sessions over hosts (fewer neighbours per host).",
  concentrated: "Pack sessions onto as few hosts as possible (keeps whole hosts free for big jobs).",
};
const CONFIDENTIAL_HINT: Record<Confidential, string> = {
  required: "Every VM boots as a confidential guest (TDX or SEV-SNP); hosts without it are not used.",
  preferred: "Confidential when the host supports it, a plain Kata VM otherwise.",
  off: "Plain Kata VMs.",
};

export function ResourceGroupsPage() {
  const trpc = useTRPC();
  const { me } = useMe();
  const groups = useQuery(trpc.resourceGroups.list.queryOptions());
  const mayManage = me?.permissions["resourceGroups.manage"] === "all";
  const rows = groups.data ?? [];
  return (
    <>
      <PageHeader
        title="Resource groups"
        description="Pools of hosts with one backend and one scheduling policy. Sessions launch into a group; the scheduler picks a host in it."
        actions={mayManage ? <NewGroupButton /> : null}
      />
      {me && !mayManage ? <p className="-mt-3 mb-4 text-sm text-muted-fg">Read-only: your role can see resource groups but not change them.</p> : null}
      <Card>
        <QueryState isLoading={groups.isLoading} error={groups.error}>
          {rows.length === 0 ? (
            <EmptyState title="No resource groups yet." action={mayManage ? <NewGroupButton /> : null}>
              {mayManage ? "Create one, then point hosts at it in their agent.toml and give projects access to it." : "An admin creates resource groups; sessions cannot launch until one exists."}
            </EmptyState>
          ) : (
            <Table>
              <caption className="sr-only">Resource groups</caption>
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Backend</Th>
                  <Th>Scheduler</Th>
                  <Th className="whitespace-nowrap">Agent selection</Th>
                  <Th>Confidential</Th>
                  <Th>Access</Th>
                  <Th className="whitespace-nowrap">Pending timeout</Th>
                  <Th className="text-right">Hosts</Th>
                  <Th className="text-right">Sessions</Th>
                  {mayManage ? (
                    <Th>
                      <span className="sr-only">Actions</span>
                    </Th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {rows.map((g) => (
                  <Tr key={g.id}>
                    <Td className="min-w-44">
                      <div className="flex items-center gap-2">
                        <span className="font-medium">{g.name}</span>
                        {!g.isActive ? <Badge tone="warn">inactive</Badge> : null}
                      </div>
                      {g.description ? <div className="text-xs text-muted-fg">{g.description}</div> : null}
                    </Td>
                    <Td>{g.backend}</Td>
                    <Td>{g.scheduler}</Td>
                    <Td>{g.agentSelection}</Td>
                    <Td>
                      <Badge tone={g.confidentialPolicy === "required" ? "accent" : "neutral"}>{g.confidentialPolicy}</Badge>
                    </Td>
                    <Td>
                      {g.isPublic ? (
                        <Badge tone="ok">public</Badge>
                      ) : (
                        <>
                          <Badge>private</Badge>
                          <div className="mt-1 text-xs text-muted-fg">{g.projects.length ? g.projects.map((p) => p.project.name).join(", ") : "no projects yet"}</div>
                        </>
                      )}
                    </Td>
                    <Td className="whitespace-nowrap">{g.pendingTimeoutSec ? formatDuration(g.pendingTimeoutSec) : <Muted>none</Muted>}</Td>
                    <Td className="text-right tabular-nums">{g._count.agents}</Td>
                    <Td className="text-right tabular-nums">{g._count.sessions}</Td>
                    {mayManage ? (
                      <Td className="text-right">
                        <EditGroupButton group={g} />
                      </Td>
                    ) : null}
                  </Tr>
                ))}
              </tbody>
            </Table>
          )}
        </QueryState>
      </Card>
    </>
  );
}

function NewGroupButton() {
  return (
    <FormDialog
      title="New resource group"
      className="w-[min(94vw,38rem)]"
      trigger={
        <Button>
          <Plus className="h-4 w-4" aria-hidden /> New resource group
        </Button>
      }
    >
      {(close) => <GroupForm onDone={close} />}
    </FormDialog>
  );
}

function EditGroupButton({ group }: { group: Group }) {
  return (
    <FormDialog
      title={`Edit ${group.name}`}
      className="w-[min(94vw,38rem)]"
      trigger={
        <Button variant="ghost" size="sm" aria-label={`Edit resource group ${group.name}`}>
          <Pencil className="h-3.5 w-3.5" aria-hidden /> Edit
        </Button>
      }
    >
      {(close) => <GroupForm group={group} onDone={close} />}
    </FormDialog>
  );
}

const FIELDS = {
  name: "name",
  description: "description",
  backend: "backend",
  scheduler: "scheduler",
  agentSelection: "agentSelection",
  confidentialPolicy: "confidentialPolicy",
  isActive: "isActive",
  isPublic: "isPublic",
  pendingTimeoutSec: "pendingTimeoutSec",
  options: "options",
};

function GroupForm({ group, onDone }: { group?: Group; onDone: () => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [name, setName] = useState(group?.name ?? "");
  const [description, setDescription] = useState(group?.description ?? "");
  const [backend, setBackend] = useState<Backend>(group?.backend ?? "kata");
  const [scheduler, setScheduler] = useState<Scheduler>(group?.scheduler ?? "fifo");
  const [agentSelection, setAgentSelection] = useState<AgentSelection>(group?.agentSelection ?? "dispersed");
  const [confidentialPolicy, setConfidentialPolicy] = useState<Confidential>(group?.confidentialPolicy ?? "required");
  const [isActive, setIsActive] = useState(group?.isActive ?? true);
  const [isPublic, setIsPublic] = useState(group?.isPublic ?? true);
  const [pendingTimeout, setPendingTimeout] = useState(String(group?.pendingTimeoutSec ?? 0));
  const [options, setOptions] = useState(group ? JSON.stringify(group.options ?? {}, null, 2) : "{}");
  const [local, setLocal] = useState<Record<string, string | undefined>>({});
  const opts = {
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: trpc.resourceGroups.pathKey() });
      onDone();
    },
  };
  const create = useMutation(trpc.resourceGroups.create.mutationOptions(opts));
  const update = useMutation(trpc.resourceGroups.update.mutationOptions(opts));
  const m = group ? update : create;
  const errs = splitErrors(m.error, FIELDS, local);

  function submit(e: React.FormEvent) {
    e.preventDefault();
    const problems: Record<string, string | undefined> = {};
    let parsedOptions: Record<string, unknown> = {};
    try {
      const v: unknown = JSON.parse(options.trim() || "{}");
      if (!v || typeof v !== "object" || Array.isArray(v)) problems.options = "must be a JSON object, e.g. {}";
      else parsedOptions = v as Record<string, unknown>;
    } catch (err) {
      problems.options = `is not valid JSON (${(err as Error).message})`;
    }
    if (pendingTimeout.trim() === "") problems.pendingTimeoutSec = "is required (0 = no timeout)";
    setLocal(problems);
    if (Object.values(problems).some(Boolean)) return;
    const common = { description, scheduler, agentSelection, confidentialPolicy, isActive, isPublic, pendingTimeoutSec: Number(pendingTimeout), options: parsedOptions };
    if (group) update.mutate({ id: group.id, ...common });
    else create.mutate({ name: name.trim(), backend, ...common });
  }

  const seconds = Number(pendingTimeout);
  return (
    <form className="grid gap-4" noValidate onSubmit={submit}>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <Field id="rg-name" label="Name" error={errs.field("name")} hint={group ? "Cannot be changed." : "Lowercase letters, digits and '-'."}>
          <Input id="rg-name" value={name} onChange={(e) => setName(e.target.value)} disabled={!!group} autoComplete="off" autoFocus={!group} {...errs.aria("name", "rg-name")} />
        </Field>
        <Field id="rg-backend" label="Backend" error={errs.field("backend")} hint={group ? "Cannot be changed." : "Kata runs each session in its own VM."}>
          <Select id="rg-backend" value={backend} disabled={!!group} onChange={(e) => setBackend(e.target.value as Backend)}>
            <option value="kata">kata</option>
            <option value="docker">docker</option>
            <option value="kubernetes">kubernetes</option>
          </Select>
        </Field>
      </div>
      <Field id="rg-description" label="Description" error={errs.field("description")}>
        <Textarea id="rg-description" className="min-h-16" value={description} onChange={(e) => setDescription(e.target.value)} {...errs.aria("description", "rg-description")} />
      </Field>
      <div className="grid items-start gap-4 sm:grid-cols-2">
        <Field id="rg-scheduler" label="Scheduler" error={errs.field("scheduler")} hint={SCHEDULER_HINT[scheduler]}>
          <Select id="rg-scheduler" value={scheduler} onChange={(e) => setScheduler(e.target.value as Scheduler)}>
            <option value="fifo">fifo</option>
            <option value="lifo">lifo</option>
            <option value="drf">drf</option>
          </Select>
        </Field>
        <Field id="rg-selection" label="Agent selection" error={errs.field("agentSelection")} hint={SELECTION_HINT[agentSelection]}>
          <Select id="rg-selection" value={agentSelection} onChange={(e) => setAgentSelection(e.target.value as AgentSelection)}>
            <option value="dispersed">dispersed</option>
            <option value="concentrated">concentrated</option>
          </Select>
        </Field>
        <Field id="rg-confidential" label="Confidential VMs" error={errs.field("confidentialPolicy")} hint={CONFIDENTIAL_HINT[confidentialPolicy]}>
          <Select id="rg-confidential" value={confidentialPolicy} onChange={(e) => setConfidentialPolicy(e.target.value as Confidential)}>
            <option value="required">required</option>
            <option value="preferred">preferred</option>
            <option value="off">off</option>
          </Select>
        </Field>
        <Field
          id="rg-timeout"
          label="Pending timeout (seconds)"
          error={errs.field("pendingTimeoutSec")}
          hint={Number.isInteger(seconds) && seconds > 0 && pendingTimeout.trim() !== "" ? `A session still pending after ${formatDuration(seconds)} is cancelled.` : "0 = wait forever."}
        >
          <Input id="rg-timeout" type="number" inputMode="numeric" min={0} step={1} value={pendingTimeout} onChange={(e) => setPendingTimeout(e.target.value)} {...errs.aria("pendingTimeoutSec", "rg-timeout")} />
        </Field>
      </div>
      <div className="grid gap-3 sm:grid-cols-2">
        <CheckboxField id="rg-active" label="Active" hint="Inactive groups take no new sessions." checked={isActive} onChange={setIsActive} />
        <CheckboxField id="rg-public" label="Public" hint="Every project may launch here; otherwise only projects given access." checked={isPublic} onChange={setIsPublic} />
      </div>
      <Field id="rg-options" label="Scheduler options (JSON)" error={errs.field("options")} hint='{"attachNics": true} passes each GPU’s nearest vfio-bound RDMA NIC through with it; {"requireLocality": "pcie-switch"} (or "nvlink", "numa") makes multi-GPU kernels wait for that closeness instead of settling.'>
        <Textarea id="rg-options" className="min-h-16 font-mono text-xs" value={options} onChange={(e) => setOptions(e.target.value)} spellCheck={false} {...errs.aria("options", "rg-options")} />
      </Field>
      <FormRest message={errs.rest} />
      <DialogActions pending={m.isPending} submitLabel={group ? "Save changes" : "Create resource group"} />
    </form>
  );
}
